import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isValidBoleto } from '@brazilian-utils/brazilian-utils';
import { hasError, parsePix } from 'pix-utils';
import { GatewayError, RawWebhookRequest } from '../../../src/gateways/contract/payment-gateway';
import {
  accountInfoFrom,
  boletoArtifact,
  chargeResultFrom,
  digitableLineFromBarcode,
  errorFromResponse,
  MercadoPagoAdapter,
  pixArtifact,
  toPaymentState,
  toRefundState,
} from '../../../src/gateways/mercadopago/mercadopago.adapter';
import { MpPayment, MpPreference, MpRefund, MpUser } from '../../../src/gateways/mercadopago/mercadopago.types';

const SHARED = path.resolve(__dirname, '../../../../shared/reference');
const MOCKS = path.join(SHARED, 'gateways/mercadopago/examples/sdk-java-mocks');

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function mock<T>(name: string): T {
  return readJson<T>(path.join(MOCKS, `${name}.json`));
}

describe('Mercado Pago SDK fixtures through the adapter mappers', () => {
  describe('response_payment_payment_pix.json', () => {
    const payment = mock<MpPayment>('response_payment_payment_pix');

    it('maps to a pending pix payment with nothing received yet', () => {
      const state = toPaymentState(payment);
      expect(state).toMatchObject({ gatewayPaymentId: '21071815560', status: 'pending', providerStatus: 'pending/pending_waiting_transfer', method: 'pix', amountPaid: null, paidAt: null, externalReference: null });
      expect(state.amount.toFixed(2)).toBe('100.00');
      expect(state.amountRefunded.toFixed(2)).toBe('0.00');
      // total_paid_amount is 100 in the fixture although nothing was paid: amountPaid must not trust it while pending.
      expect(payment.transaction_details?.total_paid_amount).toBe(100);
    });

    it('gives the pix artifact from point_of_interaction.transaction_data', () => {
      const pix = pixArtifact(payment);
      expect(pix?.copyPaste).toBe(payment.point_of_interaction?.transaction_data?.qr_code);
      expect(hasError(parsePix(pix?.copyPaste ?? ''))).toBe(false);
      expect(Buffer.from(pix?.qrCodePng ?? '', 'base64').subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(pix?.expiresAt).toBe('2022-02-10T10:10:10.000Z');
    });

    it('builds a charge result whose link is the pix ticket_url', () => {
      const result = chargeResultFrom('sandbox', 'ref-1', [payment], []);
      expect(result.objects).toEqual([{ kind: 'payment', id: '21071815560', method: 'pix' }]);
      expect(result.checkoutUrl).toBe(payment.point_of_interaction?.transaction_data?.ticket_url);
      expect(result.boleto).toBeNull();
    });
  });

  describe('response_payment_payment_boleto.json', () => {
    const payment = mock<MpPayment>('response_payment_payment_boleto');

    it('maps to a pending boleto payment', () => {
      const state = toPaymentState(payment);
      expect(state).toMatchObject({ gatewayPaymentId: '1311781516', status: 'pending', method: 'boleto', externalReference: '1677145242', amountPaid: null });
      expect(state.dueDate).toBe('2023-02-27');
    });

    it('keeps url and barcode but derives no digitable line from the fixture barcode, whose check digit is wrong', () => {
      const boleto = boletoArtifact(payment);
      expect(boleto.url).toBe(payment.transaction_details?.external_resource_url);
      expect(boleto.barcode).toBe('23793927400000100503000260600338183000633330');
      expect(boleto.digitableLine).toBeNull();
    });

    it('prefers transaction_details.digitable_line when Mercado Pago sends one', () => {
      const line = '00190000090275928800021932978170187890000005000';
      const withLine: MpPayment = { ...payment, transaction_details: { ...payment.transaction_details, digitable_line: '00190.00009 02759.288000 21932.978170 1 87890000005000' } };
      expect(boletoArtifact(withLine).digitableLine).toBe(line);
    });
  });

  describe('response_payment_payment_cancelled.json', () => {
    it('maps cancelled (with the fixture’s odd status_detail accredited) to canceled, not paid', () => {
      const state = toPaymentState(mock<MpPayment>('response_payment_payment_cancelled'));
      expect(state).toMatchObject({ status: 'canceled', method: 'card', amountPaid: null, paidAt: null, providerStatus: 'cancelled/accredited' });
      expect(state.amount.toFixed(2)).toBe('12.34');
    });
  });

  describe('refunds', () => {
    it('maps response_refund_refund_base.json', () => {
      const refund = toRefundState(mock<MpRefund>('response_refund_refund_base'));
      expect(refund).toMatchObject({ gatewayRefundId: '1245678203', status: 'succeeded', providerStatus: 'approved', createdAt: '2022-01-10T10:10:10.000-00:00' });
      expect(refund.amount.toFixed(2)).toBe('50.00');
    });

    it('maps every element of response_refund_refund_list.json', () => {
      const refunds = mock<MpRefund[]>('response_refund_refund_list').map(toRefundState);
      expect(refunds.map((refund) => [refund.gatewayRefundId, refund.status, refund.amount.toFixed(2)])).toEqual([
        ['1245678203', 'succeeded', '50.00'],
        ['1245677387', 'succeeded', '50.00'],
      ]);
    });

    it('request_refund_refund_partial.json is the {amount} body the adapter sends for a partial refund', () => {
      expect(mock<Record<string, unknown>>('request_refund_refund_partial')).toEqual({ amount: 50 });
    });
  });

  describe('response_preference_preference_base.json', () => {
    const preference = mock<MpPreference>('response_preference_preference_base');

    it('uses init_point in production and sandbox_init_point in sandbox', () => {
      expect(chargeResultFrom('production', '1643827245', [], [preference]).checkoutUrl).toBe(preference.init_point);
      expect(chargeResultFrom('sandbox', '1643827245', [], [preference]).checkoutUrl).toBe(preference.sandbox_init_point);
    });

    it('is a checkout object for card', () => {
      expect(chargeResultFrom('sandbox', '1643827245', [], [preference]).objects).toEqual([
        { kind: 'checkout', id: '823549964-e8063b12-1c8b-4333-b075-3ae52a0371c8', method: 'card' },
      ]);
    });
  });

  it('maps response_user_user_base.json to account info', () => {
    expect(accountInfoFrom(mock<MpUser>('response_user_user_base'))).toEqual({ externalAccountId: '539675046', name: 'Test Test' });
  });

  it('maps response_payment_payment_card_token_error.json to a validation error keeping message and cause code', () => {
    const error = errorFromResponse(400, mock<unknown>('response_payment_payment_card_token_error'));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ kind: 'validation', providerMessage: 'Card Token not found', providerCode: '2006', httpStatus: 400, retryable: false });
  });

  it('request_payment_status_cancelled.json is the cancel body', () => {
    expect(mock<Record<string, unknown>>('request_payment_status_cancelled')).toEqual({ status: 'cancelled' });
  });

  describe('webhook-notification-payment.json', () => {
    const reference = readJson<{ headers: Record<string, string>; query: Record<string, string>; body: unknown }>(
      path.join(SHARED, 'gateways/mercadopago/examples/webhook-notification-payment.json'),
    );
    const adapter = new MercadoPagoAdapter({ apiUrl: 'http://127.0.0.1:9' });
    const request: RawWebhookRequest = { headers: reference.headers, query: reference.query, rawBody: Buffer.from(JSON.stringify(reference.body)) };

    it('parses as a pointer to payment 999999999', () => {
      expect(adapter.parseWebhook(request)).toEqual({
        providerEventId: '12345',
        eventType: 'payment.created',
        category: 'payment',
        gatewayPaymentId: '999999999',
        externalReference: null,
        payment: null,
      });
    });

    it('cannot be verified (its secret is not published) and so is rejected', () => {
      const ctx = { connectionId: 'c', environment: 'production' as const, credentials: { webhookSecret: 'your_secret_key_here' } };
      expect(adapter.verifyWebhook(ctx, request)).toBe(false);
    });
  });
});

describe('brazil/samples.json boleto fixtures through digitableLineFromBarcode', () => {
  interface BoletoSample {
    name: string;
    barcode?: string;
    barcode_valid?: boolean;
    ld_from_barcode?: string;
    barcode_from_ld?: string;
    linha_digitavel_digits?: string;
    ld_valid?: boolean;
    expect_valid: boolean;
  }
  const samples = readJson<{ boleto_bancario: BoletoSample[]; boleto_arrecadacao: BoletoSample[] }>(path.join(SHARED, 'brazil/samples.json'));

  const fromBarcode = samples.boleto_bancario.filter((sample) => sample.barcode && sample.barcode_valid);
  it.each(fromBarcode.map((sample) => [sample.name, sample] as const))('%s: barcode → the published line', (_name, sample) => {
    const line = digitableLineFromBarcode(sample.barcode as string);
    expect(line).toBe(sample.ld_from_barcode);
    expect(isValidBoleto(line as string)).toBe(true);
  });

  const fromLine = samples.boleto_bancario.filter((sample) => sample.barcode_from_ld && sample.ld_valid);
  it.each(fromLine.map((sample) => [sample.name, sample] as const))('%s: round-trips line → barcode → line', (_name, sample) => {
    expect(digitableLineFromBarcode(sample.barcode_from_ld as string)).toBe(sample.linha_digitavel_digits);
  });

  const negatives = samples.boleto_bancario.filter((sample) => !sample.expect_valid && (sample.barcode || sample.barcode_from_ld));
  it.each(negatives.map((sample) => [sample.name, sample] as const))('%s: gives no line for an invalid barcode', (_name, sample) => {
    expect(digitableLineFromBarcode((sample.barcode ?? sample.barcode_from_ld) as string)).toBeNull();
  });

  it('gives no line for arrecadação barcodes (not a Mercado Pago boleto)', () => {
    for (const sample of samples.boleto_arrecadacao.filter((candidate) => candidate.barcode)) {
      expect(digitableLineFromBarcode(sample.barcode as string)).toBeNull();
    }
  });
});
