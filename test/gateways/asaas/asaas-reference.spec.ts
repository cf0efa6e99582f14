import { getBoletoInfo, isValidBoleto } from '@brazilian-utils/brazilian-utils';
import Big from 'big.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hasError, parsePix } from 'pix-utils';
import { CreateGatewayChargeInput, GatewayContext } from '../../../src/gateways/contract/payment-gateway';
import {
  ASAAS_WEBHOOK_EVENTS,
  AsaasAdapter,
  httpError,
  toAccountInfo,
  toBoletoArtifact,
  toCustomerCreateRequest,
  toGatewayPaymentState,
  toGatewayRefundStates,
  toPaymentCreateRequest,
  toPixArtifact,
  toWebhookConfigRequest,
} from '../../../src/gateways/asaas/asaas.adapter';
import { mapAsaasBillingType, mapAsaasPaymentStatus, mapAsaasRefundStatus, webhookCategory } from '../../../src/gateways/asaas/asaas-status.map';
import {
  AsaasCommercialInfo,
  AsaasCustomer,
  AsaasDeleteResponse,
  AsaasErrorBody,
  AsaasIdentificationField,
  AsaasList,
  AsaasPayment,
  AsaasPixQrCode,
  AsaasRefund,
  AsaasWebhookConfig,
} from '../../../src/gateways/asaas/asaas.types';
import { digitableLineFromBarcode } from '../../../src/gateways/shared/boleto';

const SHARED = path.resolve(__dirname, '../../../../shared/reference');
const ASAAS = path.join(SHARED, 'gateways/asaas');
const EXAMPLES = path.join(ASAAS, 'examples');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Example files the adapter reads or writes. */
const CONSUMED = [
  'account-status.response.json',
  'customer-create.json',
  'errors.json',
  'payment-create-requests.json',
  'payment-delete.response.json',
  'payment-identificationField.response.json',
  'payment-object.response.json',
  'payment-pixQrCode.response.json',
  'payment-refund.json',
  'webhook-config.json',
  'webhook-event-PAYMENT_RECEIVED.json',
  'webhook-event-SUBSCRIPTION_CREATED.json',
];
/** The module charges one-off payments; subscriptions are only categorized when their events arrive. */
const NOT_CONSUMED = ['subscription-create.json'];

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function example<T>(name: string): T {
  return readJson<T>(path.join(EXAMPLES, name));
}

const adapter = new AsaasAdapter({ sandboxUrl: 'http://127.0.0.1:9/v3', productionUrl: 'http://127.0.0.1:9/v3' });

describe('Asaas reference payloads through the adapter mappers', () => {
  it('covers every saved example (a new reference file must be mapped or listed as not consumed)', () => {
    expect(readdirSync(EXAMPLES).sort()).toEqual([...CONSUMED, ...NOT_CONSUMED].sort());
  });

  describe('payment-object.response.json (spec-derived, with faker filler)', () => {
    const payment = example<{ response: { body: AsaasPayment } }>('payment-object.response.json').response.body;

    it('maps to a pending boleto with the refunds it lists', () => {
      const state = toGatewayPaymentState(payment);
      expect(state).toMatchObject({ gatewayPaymentId: 'pay_080225913252', externalReference: '056984', status: 'pending', providerStatus: 'PENDING', method: 'boleto', amountPaid: null, paidAt: null, dueDate: '2017-06-10' });
      // Nothing was received, so the faker originalValue (95904077.59…) is not taken as the amount.
      expect(state.amount.toFixed(2)).toBe('129.90');
      expect(state.amountRefunded.toFixed(2)).toBe('80.00');
      expect(state.refunds.map((refund) => [refund.gatewayRefundId, refund.status, refund.amount.toFixed(2), refund.createdAt])).toEqual([
        ['pay_080225913252:refund:1', 'succeeded', '40.00', '2024-10-18T13:19:06.000Z'],
        ['pay_080225913252:refund:2', 'succeeded', '40.00', '2024-10-18T13:19:06.000Z'],
      ]);
    });

    it('parses every amount exactly with big.js, filler included', () => {
      const state = toGatewayPaymentState(payment);
      expect(state.interestAmount.eq(new Big('79810960.87224698'))).toBe(true);
    });
  });

  describe('webhook-event-PAYMENT_RECEIVED.json (official)', () => {
    const file = example<{ headers: Record<string, string>; body: unknown }>('webhook-event-PAYMENT_RECEIVED.json');
    const request = { headers: file.headers, query: {}, rawBody: Buffer.from(JSON.stringify(file.body)) };

    it('parses to a received card payment', () => {
      const event = adapter.parseWebhook(request);
      expect(event).toMatchObject({ providerEventId: 'evt_05b708f961d739ea7eba7e4db318f621&368604920', eventType: 'PAYMENT_RECEIVED', category: 'payment', gatewayPaymentId: 'pay_080225913252', externalReference: '056984' });
      expect(event.payment).toMatchObject({ status: 'succeeded', method: 'card', paidAt: '2021-01-01', refunds: [] });
      expect(event.payment?.amount.toFixed(2)).toBe('100.00');
      expect(event.payment?.amountPaid?.toFixed(2)).toBe('100.00');
      expect(event.payment?.interestAmount.toFixed(2)).toBe('0.00');
    });

    it('verifies against the authToken it documents in asaas-access-token', () => {
      const ctx: GatewayContext = { connectionId: 'c', environment: 'sandbox', credentials: { webhookAuthToken: file.headers['asaas-access-token'] } };
      expect(adapter.verifyWebhook(ctx, request)).toBe(true);
    });
  });

  describe('webhook-event-SUBSCRIPTION_CREATED.json (official)', () => {
    it('is a subscription event without a payment state', () => {
      const body = example<{ body: unknown }>('webhook-event-SUBSCRIPTION_CREATED.json').body;
      const event = adapter.parseWebhook({ headers: {}, query: {}, rawBody: Buffer.from(JSON.stringify(body)) });
      expect(event).toEqual({ providerEventId: 'evt_6561b631fa5580caadd00bbe3b858607&9193', eventType: 'SUBSCRIPTION_CREATED', category: 'subscription', gatewayPaymentId: null, externalReference: null, payment: null });
    });
  });

  describe('payment-refund.json', () => {
    const file = example<{ request_partial: Record<string, unknown>; request_full: Record<string, unknown>; list_refunds_response: { body: AsaasList<AsaasRefund> } }>('payment-refund.json');

    it('maps GET /payments/{id}/refunds data to refund states', () => {
      const states = toGatewayRefundStates('pay_1', file.list_refunds_response.body.data);
      expect(states.map((refund) => [refund.gatewayRefundId, refund.status, refund.providerStatus, refund.amount.toFixed(2)])).toEqual([
        ['pay_1:refund:1', 'succeeded', 'DONE', '40.00'],
        ['pay_1:refund:2', 'succeeded', 'DONE', '40.00'],
      ]);
    });

    it('documents the request bodies the adapter sends (value only for partial)', () => {
      expect(Object.keys(file.request_partial).sort()).toEqual(['description', 'value']);
      expect(file.request_full).toEqual({});
    });
  });

  describe('payment-pixQrCode.response.json', () => {
    const qr = example<{ response: { body: AsaasPixQrCode } }>('payment-pixQrCode.response.json').response.body;

    it('gives a CRC-valid BR Code, a PNG without the stray "=", and an ISO expiry', () => {
      const pix = toPixArtifact(qr);
      expect(pix.copyPaste).toBe(qr.payload);
      expect(hasError(parsePix(pix.copyPaste))).toBe(false);
      expect(qr.encodedImage.startsWith('=')).toBe(true);
      expect(Buffer.from(pix.qrCodePng ?? '', 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(pix.expiresAt).toBe('2022-06-25T02:59:59.000Z');
    });
  });

  describe('payment-identificationField.response.json', () => {
    const field = example<{ response: { body: AsaasIdentificationField } }>('payment-identificationField.response.json').response.body;

    it('gives a valid 47-digit line and the 44-digit barcode it encodes', () => {
      const boleto = toBoletoArtifact({ bankSlipUrl: 'https://www.asaas.com/b/pdf/080225913252' }, field);
      expect(boleto).toEqual({ url: 'https://www.asaas.com/b/pdf/080225913252', digitableLine: field.identificationField, barcode: field.barCode });
      expect(isValidBoleto(field.identificationField)).toBe(true);
      expect(getBoletoInfo(field.identificationField)).toMatchObject({ amount: 5000, bankCode: '001' });
      // The simulator's barcode -> line conversion reproduces Asaas's own answer.
      expect(digitableLineFromBarcode(field.barCode)).toBe(field.identificationField);
    });
  });

  describe('payment-create-requests.json (docs)', () => {
    const requests = example<Record<string, Record<string, unknown>>>('payment-create-requests.json');

    function input(methods: CreateGatewayChargeInput['methods'], amount: string, installments = 1): CreateGatewayChargeInput {
      return {
        reference: '056984',
        idempotencyKey: 'k',
        gatewayCustomerId: 'cus_000005219613',
        customer: { name: 'Marcelo Almeida', cpfCnpj: '24971563792', externalReference: 'c1' },
        amount: new Big(amount),
        dueDate: '2023-07-21',
        methods,
        installments,
        description: 'Pedido 056984',
        notificationUrl: 'https://example.com',
      };
    }

    it.each([
      ['PIX', ['pix'], '100.90'],
      ['BOLETO', ['boleto'], '100.00'],
      ['CREDIT_CARD_redirect', ['card'], '109.90'],
    ] as const)('builds the documented %s body (plus description and externalReference)', (name, methods, amount) => {
      expect(toPaymentCreateRequest(input([...methods], amount), 'cus_000005219613')).toEqual({
        ...requests[name],
        description: 'Pedido 056984',
        externalReference: '056984',
      });
    });

    it('sends UNDEFINED, the documented "payer chooses" type, for several methods', () => {
      expect(requests.UNDEFINED).toBeNull();
      expect(toPaymentCreateRequest(input(['pix', 'boleto', 'card'], '10.00'), 'cus_1').billingType).toBe('UNDEFINED');
    });

    it('sends installmentCount + totalValue where the docs example uses installmentValue', () => {
      const documented = requests.BOLETO_installments;
      const ours = toPaymentCreateRequest(input(['boleto'], '2000.00', 10), 'cus_000005219613');
      expect(ours).toMatchObject({ installmentCount: documented.installmentCount, totalValue: 2000 });
      expect(new Big(String(documented.installmentValue)).times(Number(documented.installmentCount)).eq(ours.totalValue ?? 0)).toBe(true);
      expect(ours).not.toHaveProperty('value');
    });
  });

  describe('customer-create.json', () => {
    const file = example<{ request: Record<string, unknown>; response: { body: AsaasCustomer } }>('customer-create.json');

    it('builds the documented body and reads the fields it needs from the answer', () => {
      const ours = toCustomerCreateRequest({ name: 'Marcelo Almeida', cpfCnpj: '24971563792', phone: '+55 47 9937-6637', externalReference: 'c1' }, '24971563792');
      expect(ours).toEqual({ ...file.request, externalReference: 'c1' });
      expect(file.response.body).toMatchObject({ object: 'customer', id: expect.stringMatching(/^cus_/), deleted: false, cpfCnpj: '24971563792' });
    });
  });

  describe('payment-delete.response.json', () => {
    it('has the {deleted, id} shape cancelCharge expects', () => {
      const body = example<{ response: { body: AsaasDeleteResponse } }>('payment-delete.response.json').response.body;
      expect(body).toEqual({ deleted: true, id: expect.stringMatching(/^pay_/) });
    });
  });

  describe('errors.json', () => {
    const errors = example<{ auth_401: AsaasErrorBody[]; invalid_creditCard_400: AsaasErrorBody; invalid_customer_400: AsaasErrorBody }>('errors.json');

    it.each(errors.auth_401.map((body) => [body.errors[0].code, body] as const))('maps 401 %s to invalid_credentials with its description', (code, body) => {
      expect(httpError(401, body)).toMatchObject({ kind: 'invalid_credentials', httpStatus: 401, providerCode: code, providerMessage: body.errors[0].description });
    });

    it('maps the 400 examples to validation', () => {
      expect(httpError(400, errors.invalid_creditCard_400)).toMatchObject({ kind: 'validation', providerCode: 'invalid_creditCard' });
      expect(httpError(400, errors.invalid_customer_400)).toMatchObject({ kind: 'validation', providerCode: 'invalid_customer', providerMessage: 'Customer Inválido ou não informado' });
    });

    it('copes with the empty 404 body the collection documents', () => {
      expect(httpError(404, '')).toMatchObject({ kind: 'not_found', providerMessage: 'HTTP 404', providerCode: null });
    });
  });

  describe('account-status.response.json', () => {
    const file = example<{ myAccount_status: { body: Record<string, unknown> }; myAccount_commercialInfo: { body: AsaasCommercialInfo } }>('account-status.response.json');

    it('turns commercialInfo into account info', () => {
      // tradingName is faker filler ("fugiat") in this file; the rule prefers it because it is what customers see.
      expect(toAccountInfo(file.myAccount_commercialInfo.body)).toEqual({ externalAccountId: 'john.doe@asaas.com.br', name: 'fugiat' });
      expect(file.myAccount_status.body).toMatchObject({ id: expect.any(String), general: 'APPROVED' });
    });
  });

  describe('webhook-config.json', () => {
    const file = example<{ request_docs: Record<string, unknown>; request_openapi_example: Record<string, unknown>; response: { body: AsaasWebhookConfig } }>('webhook-config.json');
    const enums = readJson<{ webhook_events: { values: string[] } }>(path.join(ASAAS, 'enums.json'));

    it('sends the same fields as the OpenAPI example, with events Asaas knows', () => {
      const ours = toWebhookConfigRequest('conn-1', { url: 'https://example.com/webhooks/asaas', authToken: 'tok' }, 'ops@example.com');
      expect(Object.keys(ours).sort()).toEqual(Object.keys(file.request_openapi_example).sort());
      expect(ours.events.every((event) => enums.webhook_events.values.includes(event))).toBe(true);
      expect(ours).toMatchObject({ sendType: 'SEQUENTIALLY', apiVersion: 3, enabled: true, interrupted: false });
    });

    it('registers every PAYMENT_* event the docs example lists that the module consumes', () => {
      const documented = file.request_docs.events as string[];
      const notConsumed = documented.filter((event) => !(ASAAS_WEBHOOK_EVENTS as readonly string[]).includes(event)).sort();
      expect(notConsumed).toEqual([
        'PAYMENT_ANTICIPATED',
        'PAYMENT_APPROVED_BY_RISK_ANALYSIS',
        'PAYMENT_AUTHORIZED',
        'PAYMENT_BANK_SLIP_VIEWED',
        'PAYMENT_CHECKOUT_VIEWED',
        'PAYMENT_DUNNING_RECEIVED',
        'PAYMENT_DUNNING_REQUESTED',
      ]);
    });

    it('shows events as a string in the response example although it is an array (doc quirk)', () => {
      expect(typeof file.response.body.events).toBe('string');
      expect(file.response.body.id).toEqual(expect.any(String));
    });
  });

  describe('enums.json', () => {
    const enums = readJson<{
      payment_status: { values: string[] };
      payment_status_extra_in_practice: string[];
      refund_status: { values: string[] };
      billing_type_in_responses: { values: string[] };
      webhook_events: { values: string[] };
    }>(path.join(ASAAS, 'enums.json'));

    it('maps every payment and refund status', () => {
      for (const status of [...enums.payment_status.values, ...enums.payment_status_extra_in_practice]) {
        expect(() => mapAsaasPaymentStatus(status)).not.toThrow();
      }
      for (const status of enums.refund_status.values) expect(() => mapAsaasRefundStatus(status)).not.toThrow();
    });

    it('maps every response billingType to a method', () => {
      expect(Object.fromEntries(enums.billing_type_in_responses.values.map((type) => [type, mapAsaasBillingType(type)]))).toEqual({
        UNDEFINED: 'undefined',
        BOLETO: 'boleto',
        CREDIT_CARD: 'card',
        DEBIT_CARD: 'card',
        TRANSFER: 'other',
        DEPOSIT: 'other',
        PIX: 'pix',
      });
    });

    it('categorizes every webhook event', () => {
      const categories = new Set(enums.webhook_events.values.map(webhookCategory));
      expect([...categories].sort()).toEqual(['chargeback', 'other', 'payment', 'refund', 'subscription']);
      expect((ASAAS_WEBHOOK_EVENTS as readonly string[]).every((event) => enums.webhook_events.values.includes(event))).toBe(true);
    });
  });

  describe('brazil/samples.json (fixtures for the simulator artifacts)', () => {
    const samples = readJson<{
      pix_brcode: { name: string; payload: string; crc_valid: boolean }[];
      boleto_bancario: { name: string; barcode?: string; ld_from_barcode?: string; expect_valid: boolean }[];
    }>(path.join(SHARED, 'brazil/samples.json'));

    it.each(samples.pix_brcode.map((sample) => [sample.name, sample] as const))('pix-utils agrees on the CRC of %s', (_, sample) => {
      expect(hasError(parsePix(sample.payload))).toBe(!sample.crc_valid);
    });

    it.each(samples.boleto_bancario.filter((sample) => sample.barcode).map((sample) => [sample.name, sample] as const))(
      'the simulator boleto math agrees with %s',
      (_, sample) => {
        const barcode = sample.barcode ?? '';
        const dvIsRight = digitableLineFromBarcode(barcode) !== null;
        expect(dvIsRight).toBe(sample.expect_valid);
        if (sample.ld_from_barcode) expect(digitableLineFromBarcode(barcode)).toBe(sample.ld_from_barcode);
      },
    );
  });
});
