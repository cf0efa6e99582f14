import Big from 'big.js';
import { formatBRL, parseAmount, roundCents, splitInstallments, sum } from '../../../src/common/money/money';
import { ApiError } from '../../../src/common/errors/api-error';

const parse = (value: unknown, sign?: 'positive' | 'non-negative' | 'any') => parseAmount(value, { field: 'amount', sign });

describe('money', () => {
  it.each([
    [49.9, '49.9'],
    ['49.90', '49.9'],
    [175.9, '175.9'],
    [0.1, '0.1'],
    ['1234567.89', '1234567.89'],
    [1e-2, '0.01'],
  ])('parses %p from JSON as %s', (input, expected) => {
    expect(parse(input).toString()).toBe(expected);
  });

  it.each([[10.123], ['1.001'], ['NaN'], ['Infinity'], [Number.NaN], ['abc'], [''], [null], [true], [{}], ['1e3'], [1e-7], [1e21]])('rejects %p with 422 invalid_amount', (input) => {
    expect(() => parse(input)).toThrow(ApiError);
    try {
      parse(input);
    } catch (error) {
      expect((error as ApiError).getStatus()).toBe(422);
      expect((error as ApiError).code).toBe('invalid_amount');
    }
  });

  it('enforces the sign rule', () => {
    expect(() => parse(0)).toThrow(/greater than zero/);
    expect(() => parse(-5)).toThrow(/greater than zero/);
    expect(parse(0, 'non-negative').toString()).toBe('0');
    expect(() => parse(-0.01, 'non-negative')).toThrow(/negative/);
    expect(parse(-5, 'any').toString()).toBe('-5');
  });

  it('adds without floating-point error', () => {
    expect(sum([parse(0.1), parse(0.2)]).toString()).toBe('0.3');
    expect(sum([parse('0.1'), parse('0.2'), parse('0.3')]).eq(new Big('0.6'))).toBe(true);
  });

  it('rounds half-up to cents', () => {
    expect(roundCents(new Big('17.555')).toFixed(2)).toBe('17.56');
    expect(roundCents(new Big('17.554')).toFixed(2)).toBe('17.55');
    expect(roundCents(new Big('0.005')).toFixed(2)).toBe('0.01');
    expect(roundCents(new Big('-0.005')).toFixed(2)).toBe('-0.01');
    expect(roundCents(new Big('2.345')).toFixed(2)).toBe('2.35');
  });

  it('puts the installment remainder on the last one (R$ 350,00 in 12x = 11 x 29,16 + 29,24)', () => {
    const parts = splitInstallments(new Big('350.00'), 12);
    expect(parts.slice(0, 11).every((part) => part.eq('29.16'))).toBe(true);
    expect(parts[11].toFixed(2)).toBe('29.24');
    expect(sum(parts).eq('350')).toBe(true);
  });

  it('splits evenly when it can and handles one installment', () => {
    expect(splitInstallments(new Big('300'), 3).map((part) => part.toFixed(2))).toEqual(['100.00', '100.00', '100.00']);
    expect(splitInstallments(new Big('10.01'), 1).map((part) => part.toFixed(2))).toEqual(['10.01']);
    expect(splitInstallments(new Big('0.05'), 3).map((part) => part.toFixed(2))).toEqual(['0.01', '0.01', '0.03']);
    expect(() => splitInstallments(new Big(1), 0)).toThrow(RangeError);
  });

  it('formats BRL for messages', () => {
    expect(formatBRL(new Big('175.9'))).toBe('R$ 175,90');
    expect(formatBRL(new Big('1234.56'))).toBe('R$ 1.234,56');
    expect(formatBRL(new Big('1234567.8'))).toBe('R$ 1.234.567,80');
    expect(formatBRL(new Big('0.5'))).toBe('R$ 0,50');
    expect(formatBRL(new Big('-5'))).toBe('-R$ 5,00');
  });
});
