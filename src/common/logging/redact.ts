const SECRET_KEY_PATTERN = /(authorization|access[-_]?token|api[-_]?key|secret|password|auth[-_]?token|x-signature|credentials|cookie|card|cvv|cvc|security[-_]?code|holder)/i;
const REDACTED = '[redacted]';

/** Deep copy with every value under a secret-looking key replaced; safe to log. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      key,
      SECRET_KEY_PATTERN.test(key) ? REDACTED : redact(item, depth + 1),
    ]),
  );
}
