import Big from 'big.js';
import { ChargeDraftFactory } from '../../../src/charges/create/charge-draft';
import { CreateChargeDto } from '../../../src/charges/create/create-charge.dto';
import { ProductsService } from '../../../src/charges/catalog/products.service';
import { canTransition } from '../../../src/charges/domain/charge-status';
import { computeTotals, installmentPlan } from '../../../src/charges/domain/charge-totals';
import { normalizeCpfCnpj } from '../../../src/charges/domain/document';
import { addMonthsToDate, formatDatePtBr, isCalendarDate, todayInSaoPaulo } from '../../../src/charges/domain/due-date';
import { GatewayCapabilities } from '../../../src/gateways/contract/payment-gateway';
import { containsCardData, looksLikeCardNumber } from '../../../src/common/security/card-data';

const PIX_ONLY: GatewayCapabilities = {
  paymentMethods: ['pix'],
  partialRefund: false,
  maxInstallments: { pix: 1, boleto: 1, card: 1 },
  registersWebhookByApi: false,
  sendsOverdueEvents: false,
};

describe('charge domain', () => {
  it('refuses a method the gateway cannot offer with 422 payment_method_unavailable', async () => {
    const factory = new ChargeDraftFactory({ requireActive: async () => new Map() } as unknown as ProductsService);
    const input = { customerId: 'c', items: [{ description: 'A', quantity: 1, unitPrice: 10 }], dueDate: '2099-01-01', paymentMethods: ['pix', 'boleto'] } as CreateChargeDto;
    await expect(factory.build('acc', input, PIX_ONLY)).rejects.toMatchObject({ code: 'payment_method_unavailable', details: [{ field: 'paymentMethods', message: 'boleto is not available on this gateway' }] });
  });

  it('validates CPF and CNPJ check digits', () => {
    expect(normalizeCpfCnpj('249.715.637-92')).toBe('24971563792');
    expect(normalizeCpfCnpj('24971563791')).toBeNull();
    expect(normalizeCpfCnpj('11.222.333/0001-81')).toBe('11222333000181');
    expect(normalizeCpfCnpj('11111111111')).toBeNull();
    expect(normalizeCpfCnpj('abc')).toBeNull();
  });

  it('works with calendar dates in America/Sao_Paulo', () => {
    // 02:00 UTC on Dec 1st is still Nov 30th in Sao Paulo (UTC-3).
    expect(todayInSaoPaulo(new Date('2026-12-01T02:00:00Z'))).toBe('2026-11-30');
    expect(todayInSaoPaulo(new Date('2026-12-01T03:00:00Z'))).toBe('2026-12-01');
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(addMonthsToDate('2026-01-31', 1)).toBe('2026-02-28');
    expect(formatDatePtBr('2026-11-30')).toBe('30/11/2026');
  });

  it('keeps totals exact and installments summing to the total', () => {
    const totals = computeTotals([{ description: 'A', quantity: 3, unitPrice: new Big('33.33'), productId: null }], { type: 'percentage', value: new Big('12.5') }, new Big('0.01'));
    expect(totals.subtotal.toFixed(2)).toBe('99.99');
    expect(totals.discountAmount.toFixed(2)).toBe('12.50');
    expect(totals.total.toFixed(2)).toBe('87.50');
    const plan = installmentPlan(new Big('100'), 3, '2026-12-10');
    expect(plan.map((line) => [line.amount.toFixed(2), line.dueDate])).toEqual([
      ['33.33', '2026-12-10'],
      ['33.33', '2027-01-10'],
      ['33.34', '2027-02-10'],
    ]);
  });

  it('allows only the transitions in the table', () => {
    expect(canTransition('awaiting_payment', 'paid')).toBe(true);
    expect(canTransition('overdue', 'paid')).toBe(true);
    expect(canTransition('paid', 'overdue')).toBe(false);
    expect(canTransition('canceled', 'paid')).toBe(false);
    expect(canTransition('refunded', 'partially_refunded')).toBe(false);
  });

  it('detects card data by field name and by card-number values, not CPF/CNPJ or phones', () => {
    expect(containsCardData({ customer: { cpfCnpj: '11222333000181', phone: '4799878187' } })).toBe(false);
    expect(containsCardData({ payment: { securityCode: '123' } })).toBe(true);
    expect(containsCardData({ note: '5555 5555 5555 4444' })).toBe(true);
    expect(looksLikeCardNumber('4111111111111112')).toBe(false);
    expect(looksLikeCardNumber('pedido 123456')).toBe(false);
    // A gateway token with a Luhn-valid digit run is a credential, not a card.
    expect(containsCardData({ credentials: { accessToken: 'TEST-4111111111111111-112401-abc' } })).toBe(false);
    expect(containsCardData({ description: 'TEST-4111111111111111-112401-abc' })).toBe(true);
  });
});
