import { formatCnpj, formatCpf } from '@brazilian-utils/brazilian-utils';
import Big from 'big.js';
import fc from 'fast-check';
import { computeTotals, Discount, installmentPlan, PricedItem } from '../../src/charges/domain/charge-totals';
import { normalizeCpfCnpj } from '../../src/charges/domain/document';
import { addMonthsToDate } from '../../src/charges/domain/due-date';
import { ApiError } from '../../src/common/errors/api-error';
import { formatBRL, parseAmount, ParseAmountOptions, roundCents, splitInstallments } from '../../src/common/money/money';
import {
  centsArb,
  centsToNumber,
  centsToShortString,
  centsToString,
  cnpjArb,
  cpfArb,
  divRoundHalfUp,
  fuzzOptions,
  MAX_CENTS,
  punctuatedDocumentArb,
  referenceCnpjValid,
  referenceCpfValid,
} from '../support/fuzz';

/**
 * Pure properties of the money and document rules (no app, no database): parseAmount, computeTotals,
 * installment plans, formatBRL and CPF/CNPJ normalization, checked against independent integer-cents oracles.
 */
const RUNS = 500;
const options = (seed: number, numRuns = RUNS) => fuzzOptions({ seed, numRuns });

const bigCents = (amount: Big): bigint => {
  const text = amount.toFixed(2);
  expect(new Big(text).eq(amount)).toBe(true); // never more than 2 decimals
  const negative = text.startsWith('-');
  const [integer, cents] = text.replace('-', '').split('.');
  const value = BigInt(integer) * 100n + BigInt(cents);
  return negative ? -value : value;
};

function expectInvalidAmount(run: () => unknown, field: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ApiError);
  const error = thrown as ApiError;
  expect(error.getStatus()).toBe(422);
  expect(error.code).toBe('invalid_amount');
  expect(error.details).toEqual([expect.objectContaining({ field, message: expect.any(String) })]);
}

function apiErrorCode(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
}

describe('money properties (fast-check)', () => {
  describe('parseAmount', () => {
    const signs: Array<NonNullable<ParseAmountOptions['sign']>> = ['positive', 'non-negative', 'any'];
    const acceptsSign = (cents: bigint, sign: NonNullable<ParseAmountOptions['sign']>) => (sign === 'positive' ? cents > 0n : sign === 'non-negative' ? cents >= 0n : true);

    it('accepts every amount with at most 2 decimals in range, as a number or a string, exactly, by the sign rule', () => {
      fc.assert(
        fc.property(
          centsArb(-MAX_CENTS, MAX_CENTS),
          fc.constantFrom(...signs),
          fc.constantFrom('number', 'fixed', 'short', 'padded', 'leading-zeros'),
          (cents, sign, form) => {
            const input =
              form === 'number' ? centsToNumber(cents)
              : form === 'fixed' ? centsToString(cents)
              : form === 'short' ? centsToShortString(cents)
              : form === 'padded' ? ` ${centsToString(cents)}\t`
              : centsToString(cents).replace(/^(-?)/, '$100');
            if (!acceptsSign(cents, sign)) return expectInvalidAmount(() => parseAmount(input, { field: 'amount', sign }), 'amount');
            expect(bigCents(parseAmount(input, { field: 'amount', sign }))).toBe(cents);
          },
        ),
        options(101),
      );
    });

    it('refuses amounts beyond 999 999 999 999,99 either way', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: MAX_CENTS + 1n, max: MAX_CENTS * 1000n }), fc.boolean(), fc.boolean(), (cents, negative, asNumber) => {
          const value = negative ? -cents : cents;
          expectInvalidAmount(() => parseAmount(asNumber ? centsToNumber(value) : centsToString(value), { field: 'x', sign: 'any' }), 'x');
        }),
        options(102),
      );
    });

    it('refuses 3 or more decimals (trailing zeros included), as strings and as numbers', () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: -MAX_CENTS, max: MAX_CENTS }),
          fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 1, maxLength: 12 }),
          fc.constantFrom(...signs),
          (cents, extra, sign) => {
            // "12.34" + "5…": always 3+ decimal places, whatever the digits.
            expectInvalidAmount(() => parseAmount(`${centsToString(cents)}${extra}`, { field: 'v', sign }), 'v');
          },
        ),
        options(103),
      );
      fc.assert(
        fc.property(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).filter((mills) => mills % 10 !== 0), fc.constantFrom(...signs), (mills, sign) => {
          // mills / 1000 has exactly 3 significant decimals, so no rendering of it has 2.
          expectInvalidAmount(() => parseAmount(mills / 1000, { field: 'v', sign }), 'v');
        }),
        options(104),
      );
    });

    it('refuses NaN-likes, exponents, hex, commas, blanks and non-numbers', () => {
      const amountText = /^\s*-?\d+(\.\d{1,2})?\s*$/;
      const junk = fc.oneof(
        fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 'NaN', 'nan', 'Infinity', '-Infinity', '', ' ', '\t', '.', '-', '.5', '5.', '+5', '1,50', '1.234,56', '0x1A', '0b11', '1_000', '١٢', '１２', 'R$ 10,00', '10 00', '--1', '1-', null, undefined, true, false, {}, [], [10], { value: 10 }),
        fc.tuple(fc.integer({ min: -99, max: 99 }), fc.constantFrom('e', 'E'), fc.integer({ min: -30, max: 30 })).map(([mantissa, e, exponent]) => `${mantissa}${e}${exponent}`),
        fc.string({ maxLength: 12 }).filter((text) => !amountText.test(text)),
        fc.constantFrom(1e-7, 1.5e-10, 1e21, 1e300, Number.MAX_VALUE, Number.MIN_VALUE, -1e25),
      );
      fc.assert(
        fc.property(junk, fc.constantFrom(...signs), (value, sign) => expectInvalidAmount(() => parseAmount(value, { field: 'unitPrice', sign }), 'unitPrice')),
        options(105),
      );
    });

    it('refuses zero and negatives where a positive amount is required, and negatives where non-negative is', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: -MAX_CENTS, max: 0n }), fc.boolean(), (cents, asNumber) => {
          const input = asNumber ? centsToNumber(cents) : centsToString(cents);
          expectInvalidAmount(() => parseAmount(input, { field: 'amount' }), 'amount');
          if (cents < 0n) expectInvalidAmount(() => parseAmount(input, { field: 'amount', sign: 'non-negative' }), 'amount');
          else expect(bigCents(parseAmount(input, { field: 'amount', sign: 'non-negative' }))).toBe(0n);
        }),
        options(106),
      );
    });
  });

  describe('computeTotals', () => {
    interface Line {
      quantity: number;
      priceCents: bigint;
    }
    const linesArb = fc.array(
      fc.record({
        quantity: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10_000 })),
        priceCents: centsArb(1n, 100_000_000n),
      }),
      { minLength: 1, maxLength: 100 },
    );
    const toItems = (lines: Line[]): PricedItem[] =>
      lines.map((line, index) => ({ description: `item ${index}`, quantity: line.quantity, unitPrice: new Big(centsToString(line.priceCents)), productId: null }));
    const subtotalOf = (lines: Line[]) => lines.reduce((total, line) => total + BigInt(line.quantity) * line.priceCents, 0n);

    it('subtotal = sum of quantity x price exactly; total = subtotal - discount + adjustment; percentage discount = half-up(subtotal x p / 100) <= subtotal', () => {
      fc.assert(
        fc.property(
          linesArb,
          fc.option(fc.oneof(
            fc.record({ type: fc.constant('percentage' as const), basis: fc.oneof(fc.bigInt({ min: 1n, max: 10_000n }), fc.constantFrom(1n, 50n, 333n, 9_999n, 10_000n)) }),
            fc.record({ type: fc.constant('fixed' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
          )),
          fc.option(centsArb(-MAX_CENTS / 10n, MAX_CENTS / 10n)),
          (lines, discountChoice, adjustmentCents) => {
            const subtotal = subtotalOf(lines);
            let discount: Discount | null = null;
            let expectedDiscount = 0n;
            if (discountChoice?.type === 'percentage') {
              // basis = percentage in hundredths (1 = 0.01 %, 10 000 = 100 %).
              discount = { type: 'percentage', value: new Big(centsToString(discountChoice.basis)) };
              expectedDiscount = divRoundHalfUp(subtotal * discountChoice.basis, 10_000n);
            } else if (discountChoice?.type === 'fixed') {
              const fixed = 1n + BigInt(Math.floor(discountChoice.fraction * Number(subtotal - 1n)));
              discount = { type: 'fixed', value: new Big(centsToString(fixed)) };
              expectedDiscount = fixed;
            }
            const adjustment = adjustmentCents ?? 0n;
            const expectedTotal = subtotal - expectedDiscount + adjustment;
            const run = () => computeTotals(toItems(lines), discount, new Big(centsToString(adjustment)));
            if (expectedTotal <= 0n) {
              expect(apiErrorCode(run)).toBe('invalid_total');
              return;
            }
            const totals = run();
            expect(bigCents(totals.subtotal)).toBe(subtotal);
            expect(bigCents(totals.discountAmount)).toBe(expectedDiscount);
            expect(expectedDiscount <= subtotal).toBe(true);
            expect(bigCents(totals.adjustmentAmount)).toBe(adjustment);
            expect(bigCents(totals.total)).toBe(expectedTotal);
            expect(totals.total.eq(totals.subtotal.minus(totals.discountAmount).plus(totals.adjustmentAmount))).toBe(true);
            if (discount?.type === 'percentage') expect(totals.discountAmount.eq(roundCents(totals.subtotal.times(discount.value).div(100)))).toBe(true);
          },
        ),
        options(201, 400),
      );
    });

    it('refuses a fixed discount above the subtotal and a percentage above 100 (invalid_discount); a discount equal to the subtotal leaves only the adjustment', () => {
      fc.assert(
        fc.property(linesArb, fc.bigInt({ min: 1n, max: MAX_CENTS }), fc.bigInt({ min: 10_001n, max: 1_000_000n }), centsArb(-1000n, 1000n), (lines, excess, basis, adjustment) => {
          const subtotal = subtotalOf(lines);
          const items = toItems(lines);
          const adj = new Big(centsToString(adjustment));
          expect(apiErrorCode(() => computeTotals(items, { type: 'fixed', value: new Big(centsToString(subtotal + excess)) }, adj))).toBe('invalid_discount');
          expect(apiErrorCode(() => computeTotals(items, { type: 'percentage', value: new Big(centsToString(basis)) }, adj))).toBe('invalid_discount');
          for (const whole of [{ type: 'fixed' as const, value: new Big(centsToString(subtotal)) }, { type: 'percentage' as const, value: new Big(100) }]) {
            if (adjustment <= 0n) expect(apiErrorCode(() => computeTotals(items, whole, adj))).toBe('invalid_total');
            else expect(bigCents(computeTotals(items, whole, adj).total)).toBe(adjustment);
          }
        }),
        options(202, 300),
      );
    });
  });

  describe('installment plans', () => {
    it('n parts that sum to the total exactly: all but the last equal and truncated to the cent, the last the remainder and >= the others', () => {
      fc.assert(
        fc.property(centsArb(1n, MAX_CENTS), fc.integer({ min: 1, max: 24 }), (totalCents, count) => {
          const parts = splitInstallments(new Big(centsToString(totalCents)), count).map(bigCents);
          const regular = totalCents / BigInt(count); // truncation, total > 0
          expect(parts).toHaveLength(count);
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(totalCents);
          expect(parts.slice(0, -1).every((part) => part === regular)).toBe(true);
          const last = parts[count - 1];
          expect(last).toBe(totalCents - regular * BigInt(count - 1));
          expect(last >= regular).toBe(true);
          expect(last - regular < BigInt(count)).toBe(true); // the remainder is under one cent per installment
        }),
        options(301),
      );
    });

    it('the plan has monthly due dates from the first one, clamped to the month end, and the same amounts', () => {
      const dateArb = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10));
      fc.assert(
        fc.property(centsArb(1n, 10_000_000n), fc.integer({ min: 1, max: 24 }), dateArb, (totalCents, count, first) => {
          const total = new Big(centsToString(totalCents));
          const plan = installmentPlan(total, count, first);
          expect(plan.map((line) => line.number)).toEqual(Array.from({ length: count }, (_, index) => index + 1));
          expect(plan.map((line) => line.amount.toFixed(2))).toEqual(splitInstallments(total, count).map((amount) => amount.toFixed(2)));
          plan.forEach((line, index) => {
            expect(line.dueDate).toBe(addMonthsToDate(first, index));
            if (index > 0) expect(line.dueDate > plan[index - 1].dueDate).toBe(true);
            const [year, month, day] = first.split('-').map(Number);
            const target = new Date(Date.UTC(year, month - 1 + index, 1));
            const monthEnd = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
            expect(Number(line.dueDate.slice(8))).toBe(Math.min(day, monthEnd));
          });
        }),
        options(302, 300),
      );
    });
  });

  describe('formatBRL', () => {
    it('round-trips the digits: "R$ 1.234,56" groups thousands with dots, 2 decimals after a comma, sign in front', () => {
      fc.assert(
        fc.property(centsArb(-MAX_CENTS, MAX_CENTS), (cents) => {
          const text = formatBRL(new Big(centsToString(cents)));
          expect(text).toMatch(/^-?R\$ \d{1,3}(\.\d{3})*,\d{2}$/);
          expect(text.startsWith('-')).toBe(cents < 0n);
          const back = text.replace('R$ ', '').replace(/\./g, '').replace(',', '.');
          expect(back).toBe(centsToString(cents));
          expect(text).not.toMatch(/R\$ 0\d/); // no leading zeros
        }),
        options(401),
      );
    });
  });

  describe('CPF/CNPJ normalization', () => {
    const documentArb = fc.oneof(cpfArb, cnpjArb);

    it('accepts every generated valid CPF and CNPJ, bare or punctuated, and returns its digits', () => {
      fc.assert(
        fc.property(documentArb.chain((digits) => fc.tuple(fc.constant(digits), punctuatedDocumentArb(digits))), ([digits, typed]) => {
          expect(normalizeCpfCnpj(typed)).toBe(digits);
          expect(normalizeCpfCnpj(digits.length === 11 ? formatCpf(digits) : formatCnpj(digits))).toBe(digits);
        }),
        options(501),
      );
    });

    it('rejects single-digit mutations, except where the mod-11 oracle says the mutated number is itself valid', () => {
      let mutations = 0;
      let rejected = 0;
      fc.assert(
        fc.property(documentArb, fc.nat(), fc.integer({ min: 1, max: 9 }), (digits, at, shift) => {
          const position = at % digits.length;
          const mutated = digits.slice(0, position) + String((Number(digits[position]) + shift) % 10) + digits.slice(position + 1);
          const oracle = mutated.length === 11 ? referenceCpfValid(mutated) : referenceCnpjValid(mutated);
          mutations += 1;
          if (!oracle) rejected += 1;
          expect(normalizeCpfCnpj(mutated)).toBe(oracle ? mutated : null);
          // A changed check digit is always caught: the check digits are a function of the base digits.
          if (position >= digits.length - 2) expect(normalizeCpfCnpj(mutated)).toBeNull();
        }),
        options(502, 2000),
      );
      // mod 11 maps both remainders 0 and 1 to check digit 0, so a few mutations stay valid; nearly all are caught.
      expect(rejected / mutations).toBeGreaterThan(0.95);
    });

    it('rejects wrong lengths, letters and other characters', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), maxLength: 20 }).filter((text) => text.length !== 11 && text.length !== 14),
            documentArb.chain((digits) => fc.tuple(fc.nat(digits.length), fc.constantFrom('a', 'X', '_', '#', '١', '\u0000', '+', ',')).map(([at, char]) => digits.slice(0, at) + char + digits.slice(at))),
          ),
          (input) => expect(normalizeCpfCnpj(input)).toBeNull(),
        ),
        options(503),
      );
    });
  });
});
