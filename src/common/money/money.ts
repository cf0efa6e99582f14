import Big from 'big.js';
import { ApiError } from '../errors/api-error';

/**
 * Money is big.js end to end, in major units (49.90), stored as numeric(14,2).
 * Rounding rule: half-up to cents (Big.roundHalfUp) for computed amounts such as percentage discounts;
 * installments are truncated to cents and the remainder goes on the last installment.
 */
export const ROUNDING_MODE = Big.roundHalfUp;
export const ZERO = new Big(0);
const MAX_AMOUNT = new Big('999999999999.99');
const AMOUNT_PATTERN = /^-?\d+(\.\d{1,2})?$/;

export interface ParseAmountOptions {
  field: string;
  /** 'positive' (> 0, the default), 'non-negative' (>= 0) or 'any' (signed, e.g. value adjustments). */
  sign?: 'positive' | 'non-negative' | 'any';
}

/** Parses a JSON number or numeric string with at most 2 decimals; anything else is 422 invalid_amount. */
export function parseAmount(value: unknown, options: ParseAmountOptions): Big {
  const text = toPlainText(value);
  if (text === null || !AMOUNT_PATTERN.test(text)) throw invalidAmount(options.field, 'must be a number with at most 2 decimals');
  const amount = new Big(text);
  if (amount.abs().gt(MAX_AMOUNT)) throw invalidAmount(options.field, 'is too large');
  const sign = options.sign ?? 'positive';
  if (sign === 'positive' && amount.lte(0)) throw invalidAmount(options.field, 'must be greater than zero');
  if (sign === 'non-negative' && amount.lt(0)) throw invalidAmount(options.field, 'must not be negative');
  return amount;
}

function toPlainText(value: unknown): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // Numbers like 1e-7 or 1e21 print in exponent form; Big renders them in plain notation.
    return new Big(value).toFixed();
  }
  if (typeof value === 'string') return value.trim();
  return null;
}

function invalidAmount(field: string, reason: string): ApiError {
  return ApiError.unprocessable('invalid_amount', `${field} ${reason}`, [{ field, code: 'invalid_amount', message: `${field} ${reason}` }]);
}

/** Computed amounts (line totals, subtotals, totals) must fit numeric(14,2) too. */
export function assertStorable(amount: Big, field: string): Big {
  if (amount.abs().gt(MAX_AMOUNT)) throw invalidAmount(field, 'is too large');
  return amount;
}

export function roundCents(amount: Big): Big {
  return amount.round(2, ROUNDING_MODE);
}

export function sum(amounts: Big[]): Big {
  return amounts.reduce((total, amount) => total.plus(amount), ZERO);
}

export function minBig(a: Big, b: Big): Big {
  return a.lt(b) ? a : b;
}

export function maxBig(a: Big, b: Big): Big {
  return a.gt(b) ? a : b;
}

/** For JSON responses: major units as a number with at most 2 decimals. */
export function toMoneyNumber(amount: Big): number {
  return Number(amount.toFixed(2));
}

/** For numeric columns and wire formats that want a fixed string. */
export function toMoneyString(amount: Big): string {
  return amount.toFixed(2);
}

/** "R$ 1.234,56" (pt-BR), with a plain space, as shown in chat messages. */
export function formatBRL(amount: Big): string {
  const [integer, cents] = amount.abs().toFixed(2).split('.');
  const grouped = integer.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${amount.lt(0) ? '-' : ''}R$ ${grouped},${cents}`;
}

/**
 * Splits a total into `count` installments truncated to cents; the remainder goes on the last one
 * (R$ 350,00 in 12x = 11 x 29,16 + 29,24).
 */
export function splitInstallments(total: Big, count: number): Big[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError('installment count must be a positive integer');
  const regular = total.div(count).round(2, Big.roundDown);
  const last = total.minus(regular.times(count - 1));
  return [...Array.from({ length: count - 1 }, () => regular), last];
}

/** Big from a numeric column value (pg returns numeric as a string). */
export function fromColumn(value: string | number | null | undefined): Big {
  return new Big(value ?? 0);
}
