import Big from 'big.js';

/*
 * Bank boleto (cobrança bancária) barcode and linha digitável, FEBRABAN layout. @brazilian-utils validates
 * and parses lines (tests check every line with isValidBoleto) but cannot build one for a given value and due
 * date, nor derive the line from a barcode, which Mercado Pago sends alone; so those two steps live here.
 */

const FACTOR_BASE = Date.UTC(1997, 9, 7);
const DAY_MS = 86_400_000;

/** 44 digits: bank(3) currency 9 general-DV(1) due factor(4) value in cents(10) free field(25). */
export function bankBoletoBarcode(parts: { bank: string; dueDate: string; value: Big; freeField: string }): string {
  const cents = parts.value.times(100).round(0).toFixed(0).padStart(10, '0');
  if (cents.length > 10 || parts.freeField.length !== 25 || !/^\d{3}$/.test(parts.bank)) throw new RangeError('boleto fields out of range');
  const withoutCheckDigit = `${parts.bank}9${boletoDueFactor(parts.dueDate)}${cents}${parts.freeField}`;
  return `${withoutCheckDigit.slice(0, 4)}${generalCheckDigit(withoutCheckDigit)}${withoutCheckDigit.slice(4)}`;
}

/**
 * The 47-digit line of a 44-digit bank boleto barcode: three fields with mod-10 check digits, the general check
 * digit, then due factor + value. Null when it is not a bank boleto or its general check digit is wrong, so an
 * invalid line is never shown to a payer.
 */
export function digitableLineFromBarcode(barcode: string): string | null {
  if (!/^\d{44}$/.test(barcode) || barcode.startsWith('8')) return null;
  if (generalCheckDigit(barcode.slice(0, 4) + barcode.slice(5)) !== Number(barcode[4])) return null;
  const fields = [barcode.slice(0, 4) + barcode.slice(19, 24), barcode.slice(24, 34), barcode.slice(34, 44)];
  return fields.map((field) => field + mod10(field)).join('') + barcode[4] + barcode.slice(5, 19);
}

/** Days since 1997-10-07; after 9999 (2025-02-21) the factor restarts at 1000 (FEBRABAN). */
export function boletoDueFactor(dueDate: string): string {
  const days = Math.round((Date.parse(`${dueDate}T00:00:00Z`) - FACTOR_BASE) / DAY_MS);
  const factor = days <= 9999 ? days : ((days - 10_000) % 9_000) + 1_000;
  return String(factor).padStart(4, '0');
}

/** Mod 11 over the 43 other digits, weights 2..9 from the right; 0, 10 and 11 become 1. */
function generalCheckDigit(digits43: string): number {
  let sum = 0;
  for (let index = digits43.length - 1, weight = 2; index >= 0; index--, weight = weight === 9 ? 2 : weight + 1) {
    sum += Number(digits43[index]) * weight;
  }
  const digit = 11 - (sum % 11);
  return digit === 0 || digit === 10 || digit === 11 ? 1 : digit;
}

function mod10(digits: string): number {
  let sum = 0;
  for (let index = digits.length - 1, weight = 2; index >= 0; index--, weight = weight === 2 ? 1 : 2) {
    const product = Number(digits[index]) * weight;
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}
