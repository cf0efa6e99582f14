import { generateCnpj, generateCpf } from '@brazilian-utils/brazilian-utils';
import fc from 'fast-check';

/**
 * Shared pieces of the property-based (fast-check) tests in test/fuzz.
 *
 * Every property runs with a fixed seed so a red run reproduces exactly. fast-check prints the seed and the
 * counterexample path on failure; replay it with
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx jest test/fuzz/<file>
 * FUZZ_SEED=random explores new inputs (the seed used is printed on failure); FUZZ_RUNS=<n> overrides numRuns;
 * FUZZ_STRICT=1 fails on the known (reported, still open) bugs the integration properties otherwise tolerate
 * (FUZZ_STRICT=BUG-3,BUG-4 on those only).
 */
export interface FuzzDefaults {
  seed: number;
  numRuns: number;
  /** Stop generating new runs (and shrinking) after this long; the runs done so far still count. */
  timeLimitMs?: number;
}

export function fuzzOptions<Ts>(defaults: FuzzDefaults): fc.Parameters<Ts> {
  const seedEnv = process.env.FUZZ_SEED;
  const seed = seedEnv === 'random' ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : seedEnv ? Number(seedEnv) : defaults.seed;
  const runs = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : defaults.numRuns;
  return {
    seed,
    numRuns: runs,
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    ...(defaults.timeLimitMs ? { interruptAfterTimeLimit: defaults.timeLimitMs } : {}),
  };
}

/** Whether a tolerated known bug must fail the run instead (FUZZ_STRICT=1, or a list of bug ids). */
export function strictAbout(bug: string): boolean {
  const strict = process.env.FUZZ_STRICT;
  if (!strict) return false;
  return strict === '1' || strict.split(',').some((id) => id.trim() !== '' && bug.startsWith(id.trim()));
}

// ------------------------------------------------------------------------------------------------------
// Money: amounts are generated as integer cents (bigint) and rendered the ways clients send them.
// ------------------------------------------------------------------------------------------------------

/** The largest amount the API accepts (numeric(14,2)): 999 999 999 999,99. */
export const MAX_CENTS = 99_999_999_999_999n;

export function centsToString(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** The shortest decimal rendering: 12.30 -> "12.3", 12.00 -> "12". */
export function centsToShortString(cents: bigint): string {
  return centsToString(cents).replace(/\.00$/, '').replace(/(\.\d)0$/, '$1');
}

/** A JSON number with the value of `cents` (exact for |cents| < 2^53: the division is correctly rounded). */
export function centsToNumber(cents: bigint): number {
  return Number(cents) / 100;
}

/** Cents from what the API answered (a JSON number or a numeric string with at most 2 decimals). */
export function toCents(value: unknown): bigint {
  const text = typeof value === 'number' ? String(value) : String(value);
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new Error(`not an amount with at most 2 decimals: ${JSON.stringify(value)}`);
  const cents = BigInt(match[2]) * 100n + BigInt((match[3] ?? '0').padEnd(2, '0'));
  return match[1] ? -cents : cents;
}

export const centsArb = (min: bigint, max: bigint): fc.Arbitrary<bigint> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min, max }) },
    // Small values and values near the limits are where rounding and range bugs live.
    { weight: 1, arbitrary: fc.bigInt({ min, max: min + 1000n > max ? max : min + 1000n }) },
    { weight: 1, arbitrary: fc.bigInt({ min: max - 1000n < min ? min : max - 1000n, max }) },
  );

/** round-half-up(n / d) for n >= 0, d > 0, in integers. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

// ------------------------------------------------------------------------------------------------------
// Brazilian documents
// ------------------------------------------------------------------------------------------------------

/** Runs `work` with Math.random replaced by a seeded PRNG (mulberry32), so generateCpf/generateCnpj reproduce. */
export function withSeededRandom<T>(seed: number, work: () => T): T {
  const original = Math.random;
  let state = seed >>> 0;
  Math.random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  try {
    return work();
  } finally {
    Math.random = original;
  }
}

/** A valid CPF (11 digits) from @brazilian-utils' generateCpf, reproducible from fast-check's seed. */
export const cpfArb: fc.Arbitrary<string> = fc.integer().map((seed) => withSeededRandom(seed, () => generateCpf()));
/** A valid numeric CNPJ (14 digits) from @brazilian-utils' generateCnpj, reproducible from fast-check's seed. */
export const cnpjArb: fc.Arbitrary<string> = fc.integer().map((seed) => withSeededRandom(seed, () => generateCnpj()));

/** An independent implementation of the mod-11 check digits (Receita Federal), used as the oracle. */
function mod11Digit(digits: string, weights: number[]): number {
  const total = weights.reduce((sum, weight, index) => sum + weight * Number(digits[index]), 0);
  const rest = total % 11;
  return rest < 2 ? 0 : 11 - rest;
}

export function referenceCpfValid(digits: string): boolean {
  if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
  const first = mod11Digit(digits, [10, 9, 8, 7, 6, 5, 4, 3, 2]);
  const second = mod11Digit(digits, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  return Number(digits[9]) === first && Number(digits[10]) === second;
}

export function referenceCnpjValid(digits: string): boolean {
  if (!/^\d{14}$/.test(digits) || /^(\d)\1{13}$/.test(digits)) return false;
  const first = mod11Digit(digits, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  const second = mod11Digit(digits, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  return Number(digits[12]) === first && Number(digits[13]) === second;
}

/** The document as typed by a person: bare digits, the official mask, or random separators. */
export const punctuatedDocumentArb = (digits: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(digits),
    fc.constant(
      digits.length === 11
        ? `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6, 9)}-${digits.slice(9)}`
        : `${digits.slice(0, 2)}.${digits.slice(2, 5)}.${digits.slice(5, 8)}/${digits.slice(8, 12)}-${digits.slice(12)}`,
    ),
    fc
      .array(fc.constantFrom('', '', '', '.', '-', '/', ' '), { minLength: digits.length - 1, maxLength: digits.length - 1 })
      .map((separators) => digits.split('').map((digit, index) => digit + (separators[index] ?? '')).join('')),
  );

// ------------------------------------------------------------------------------------------------------
// Strings
// ------------------------------------------------------------------------------------------------------

/** Printable unicode text (accents, emoji, CJK) with at least one visible character; no NUL or controls. */
export const visibleTextArb = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .string({ unit: fc.oneof(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzçãõéíóúâêô ABCXYZ-_.,'.split('')), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength })
    .map((text) => text.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, maxLength))
    .filter((text) => text.trim().length > 0 && !/\d{8,}/.test(text));

/** Nasty strings: NUL and control bytes, lone surrogates, RTL marks, very long text, SQL/JSON-looking text. */
export const nastyStringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom('', ' ', '   ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\u202e\u0041', '\ufeff', '💸'.repeat(50), "'; DROP TABLE charges; --", '{"$gt": ""}', 'NaN', '-0', '1e309', '<script>alert(1)</script>') },
  { weight: 1, arbitrary: fc.nat({ max: 5000 }).map((length) => 'x'.repeat(length)) },
);
