import { isValidCnpj, isValidCpf } from '@brazilian-utils/brazilian-utils';

/** CPF (11 digits) or CNPJ (14 digits), punctuation allowed on input, check digits verified. Returns digits or null. */
export function normalizeCpfCnpj(input: string): string | null {
  if (!/^[\d.\-/\s]+$/.test(input)) return null;
  const digits = input.replace(/\D/g, '');
  if (digits.length === 11) return isValidCpf(digits) ? digits : null;
  if (digits.length === 14) return isValidCnpj(digits) ? digits : null;
  return null;
}

export function documentType(cpfCnpj: string): 'CPF' | 'CNPJ' {
  return cpfCnpj.length === 11 ? 'CPF' : 'CNPJ';
}
