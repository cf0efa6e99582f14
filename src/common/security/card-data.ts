const CARD_FIELD_PATTERN = /^(card|cards|cardnumber|card_number|creditcard|credit_card|creditcardholderinfo|creditcardtoken|pan|cvv|cvv2|cvc|cvc2|securitycode|security_code|expiry|expirydate|expiry_date|expirymonth|expiryyear|expirationmonth|expirationyear|expiration_month|expiration_year|expirationdate|holder|holdername|holder_name|cardholder|cardholdername)$/i;
const EXEMPT_FIELDS = new Set(['cpfcnpj', 'phone', 'postalcode', 'number']);
// Gateway credentials are opaque tokens whose digit runs can pass the Luhn check; they are not card data.
const EXEMPT_SUBTREES = new Set(['credentials']);
const MAX_DEPTH = 10;

/**
 * Whether a request body carries card data: a card-like field name anywhere, or a string that looks like a
 * card number (13-19 digits with a card network prefix that passes the Luhn check). The platform never
 * accepts card data; cards are paid only on the gateway's hosted checkout.
 */
export function containsCardData(value: unknown, key = '', depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (key && CARD_FIELD_PATTERN.test(key)) return true;
  if (EXEMPT_SUBTREES.has(key.toLowerCase())) return false;
  if (typeof value === 'string' || typeof value === 'number') return !EXEMPT_FIELDS.has(key.toLowerCase()) && looksLikeCardNumber(String(value));
  if (Array.isArray(value)) return value.some((item) => containsCardData(item, '', depth + 1));
  if (value && typeof value === 'object') return Object.entries(value).some(([childKey, child]) => containsCardData(child, childKey, depth + 1));
  return false;
}

export function looksLikeCardNumber(text: string): boolean {
  const candidates = text.match(/\b(?:\d[ -]?){12,18}\d\b/g) ?? [];
  return candidates.some((candidate) => {
    const digits = candidate.replace(/\D/g, '');
    return digits.length >= 13 && digits.length <= 19 && /^(4|5[1-5]|2[2-7]|3[47]|6(011|5|4[4-9])|35|36|38|50|636)/.test(digits) && passesLuhn(digits);
  });
}

export function passesLuhn(digits: string): boolean {
  let total = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    total += digit;
  }
  return total % 10 === 0;
}
