import { getBoletoInfo, isValidBoleto } from '@brazilian-utils/brazilian-utils';
import axios from 'axios';
import Big from 'big.js';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { hasError, isDynamicPix, parsePix } from 'pix-utils';
import {
  CreateGatewayChargeInput,
  GatewayContext,
  GatewayError,
  PaymentMethod,
  RawWebhookRequest,
} from '../../../src/gateways/contract/payment-gateway';
import { ASAAS_WEBHOOK_EVENTS, AsaasAdapter } from '../../../src/gateways/asaas/asaas.adapter';
import { mapAsaasPaymentStatus, mapAsaasRefundStatus, webhookCategory } from '../../../src/gateways/asaas/asaas-status.map';
import { ASAAS_PAYMENT_STATUSES, ASAAS_REFUND_STATUSES, AsaasPayment } from '../../../src/gateways/asaas/asaas.types';
import { AsaasSimulator } from '../../simulators/asaas/asaas-simulator';
import { digitableLineFromBarcode } from '../../../src/gateways/shared/boleto';

const ASAAS_REFERENCE = path.resolve(__dirname, '../../../../shared/reference/gateways/asaas');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const VALID_CPF = '24971563792';

interface ReceivedWebhook {
  headers: IncomingMessage['headers'];
  rawBody: Buffer;
}

/** A local endpoint standing in for our webhook controller; answers `statuses` in turn, then 200. */
class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  statuses: number[] = [];
  private server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/webhooks/asaas`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({ headers: req.headers, rawBody: Buffer.concat(chunks) });
        res.writeHead(this.statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  reset(): void {
    this.received.length = 0;
    this.statuses = [];
  }
}

const simulator = new AsaasSimulator({ webhookRetryDelayMs: 5 });
const receiver = new WebhookReceiver();
let adapter: AsaasAdapter;
let chargeCounter = 0;

function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(new Date());
}

function inDays(days: number): string {
  return new Date(Date.parse(`${today()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function newContext(): GatewayContext {
  const account = simulator.createAccount({ name: 'Clínica Sorriso' });
  return { connectionId: `conn-${account.id}`, environment: 'sandbox', credentials: { ...account.credentials, webhookAuthToken: 'whsec-token-0123456789abcdef' } };
}

function chargeInput(overrides: Partial<CreateGatewayChargeInput> = {}): CreateGatewayChargeInput {
  chargeCounter += 1;
  return {
    reference: `chg_${chargeCounter}_${Date.now()}`,
    idempotencyKey: `idem-${chargeCounter}`,
    gatewayCustomerId: null,
    customer: { name: 'Maria Silva', cpfCnpj: '249.715.637-92', email: 'maria@example.com', phone: '+55 11 98765-4321', externalReference: 'cust_1' },
    amount: new Big('49.90'),
    dueDate: inDays(3),
    methods: ['pix'],
    installments: 1,
    description: 'Consulta odontológica',
    notificationUrl: 'https://example.com/unused-by-asaas',
    ...overrides,
  };
}

function requestsTo(method: string, pathPrefix: string) {
  return simulator.requests().filter((request) => request.method === method && request.path.startsWith(`/v3${pathPrefix}`));
}

async function gatewayError(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a GatewayError');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

function asRawRequest(webhook: ReceivedWebhook): RawWebhookRequest {
  return { headers: webhook.headers, query: {}, rawBody: webhook.rawBody };
}

beforeAll(async () => {
  await simulator.start();
  await receiver.start();
  adapter = new AsaasAdapter({ sandboxUrl: simulator.baseUrl, productionUrl: 'http://127.0.0.1:9/v3', userAgent: 'payments-tests', timeoutMs: 2_000 });
});

afterAll(async () => {
  await simulator.stop();
  await receiver.stop();
});

beforeEach(async () => {
  await simulator.waitForWebhooks();
  simulator.reset();
  receiver.reset();
});

describe('AsaasAdapter against the Asaas simulator', () => {
  describe('validateCredentials', () => {
    it('returns the account name and e-mail from /myAccount/commercialInfo/', async () => {
      const info = await adapter.validateCredentials(newContext());
      expect(info.name).toBe('Clínica Sorriso');
      expect(info.externalAccountId).toMatch(/@loja-simulada\.com\.br$/);
      const [request] = requestsTo('GET', '/myAccount/commercialInfo/');
      expect(request.headers['access_token']).toMatch(/^\$aact_hmlg_/);
      expect(request.headers['authorization']).toBeUndefined();
      expect(request.headers['user-agent']).toBe('payments-tests');
    });

    it('turns a wrong key into invalid_credentials carrying the Asaas description, never the key', async () => {
      const apiKey = '$aact_hmlg_not-a-real-key';
      const error = await gatewayError(adapter.validateCredentials({ connectionId: 'c', environment: 'sandbox', credentials: { apiKey } }));
      expect(error).toMatchObject({ kind: 'invalid_credentials', httpStatus: 401, providerCode: 'invalid_access_token', providerMessage: 'A chave de API fornecida é inválida' });
      expect(error.retryable).toBe(false);
      expect(JSON.stringify(error)).not.toContain(apiKey);
      expect(error.message).not.toContain(apiKey);
    });

    it('reports a malformed key with its own Asaas code', async () => {
      const error = await gatewayError(adapter.validateCredentials({ connectionId: 'c', environment: 'sandbox', credentials: { apiKey: 'sk_live_123' } }));
      expect(error).toMatchObject({ kind: 'invalid_credentials', providerCode: 'invalid_access_token_format' });
    });

    it('fails before any HTTP call when the connection has no key', async () => {
      const error = await gatewayError(adapter.validateCredentials({ connectionId: 'c', environment: 'sandbox', credentials: {} }));
      expect(error.kind).toBe('invalid_credentials');
      expect(simulator.requests()).toHaveLength(0);
    });

    it('uses the production URL for production connections', async () => {
      const error = await gatewayError(adapter.validateCredentials({ ...newContext(), environment: 'production' }));
      expect(error.kind).toBe('unavailable');
      expect(simulator.requests()).toHaveLength(0);
    });
  });

  describe('ensureCustomer', () => {
    it('looks the CPF up first and creates the customer only once', async () => {
      const ctx = newContext();
      const customer = chargeInput().customer;
      const first = await adapter.ensureCustomer(ctx, customer);
      const second = await adapter.ensureCustomer(ctx, { ...customer, name: 'Maria S.' });
      expect(first).toMatch(/^cus_\d{12}$/);
      expect(second).toBe(first);
      expect(requestsTo('POST', '/customers')).toHaveLength(1);
      expect(requestsTo('GET', '/customers').map((request) => request.path)).toEqual([
        `/v3/customers?cpfCnpj=${VALID_CPF}&offset=0&limit=100`,
        `/v3/customers?cpfCnpj=${VALID_CPF}&offset=0&limit=100`,
      ]);
      expect(requestsTo('POST', '/customers')[0].body).toEqual({
        name: 'Maria Silva',
        cpfCnpj: VALID_CPF,
        email: 'maria@example.com',
        mobilePhone: '11987654321',
        externalReference: 'cust_1',
      });
    });

    it('creates a separate customer for another CPF, and refuses an empty one without calling Asaas', async () => {
      const ctx = newContext();
      const maria = await adapter.ensureCustomer(ctx, chargeInput().customer);
      const joao = await adapter.ensureCustomer(ctx, { name: 'João', cpfCnpj: '94271564656', externalReference: 'cust_2' });
      expect(joao).not.toBe(maria);
      const before = simulator.requests().length;
      const error = await gatewayError(adapter.ensureCustomer(ctx, { name: 'Sem CPF', cpfCnpj: '', externalReference: 'cust_3' }));
      expect(error.kind).toBe('validation');
      expect(simulator.requests()).toHaveLength(before);
    });

    it('passes Asaas validation errors through as validation', async () => {
      const error = await gatewayError(adapter.ensureCustomer(newContext(), { name: 'X', cpfCnpj: '11111111111', externalReference: 'c' }));
      expect(error).toMatchObject({ kind: 'validation', httpStatus: 400, providerCode: 'invalid_cpfCnpj', providerMessage: 'O CPF/CNPJ informado é inválido.' });
    });
  });

  describe('createCharge', () => {
    it('creates a PIX payment with a valid dynamic BR Code and a PNG QR code', async () => {
      const ctx = newContext();
      const input = chargeInput({ methods: ['pix'] });
      const result = await adapter.createCharge(ctx, input);

      const [create] = requestsTo('POST', '/payments');
      expect(create.body).toMatchObject({ billingType: 'PIX', value: 49.9, dueDate: input.dueDate, description: input.description, externalReference: input.reference });
      expect(create.body).not.toHaveProperty('installmentCount');
      expect(result.reference).toBe(input.reference);
      expect(result.objects).toEqual([{ kind: 'payment', id: expect.stringMatching(/^pay_[a-z0-9]{16}$/), method: 'pix' }]);
      expect(result.checkoutUrl).toBe(`${simulator.origin}/i/${result.objects[0].id.slice(4)}`);
      expect(result.boleto).toBeNull();

      const parsed = parsePix(result.pix?.copyPaste ?? '');
      expect(hasError(parsed)).toBe(false);
      if (hasError(parsed)) return;
      expect(isDynamicPix(parsed)).toBe(true);
      const png = Buffer.from(result.pix?.qrCodePng ?? '', 'base64');
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(150); // IHDR width, about the 200 px of the Asaas example
      expect(result.pix?.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T02:59:59\.000Z$/);
    });

    it('creates a BOLETO payment whose digitable line and barcode check out', async () => {
      const result = await adapter.createCharge(newContext(), chargeInput({ methods: ['boleto'], amount: new Big('1234.56') }));
      expect(requestsTo('POST', '/payments')[0].body).toMatchObject({ billingType: 'BOLETO', value: 1234.56 });
      expect(result.pix).toBeNull();
      const boleto = result.boleto;
      expect(boleto?.url).toBe(`${simulator.origin}/b/pdf/${result.objects[0].id.slice(4)}`);
      expect(boleto?.digitableLine).toMatch(/^\d{47}$/);
      expect(boleto?.barcode).toMatch(/^\d{44}$/);
      expect(isValidBoleto(boleto?.digitableLine ?? '')).toBe(true);
      expect(digitableLineFromBarcode(boleto?.barcode ?? '')).toBe(boleto?.digitableLine);
      expect(getBoletoInfo(boleto?.digitableLine ?? '')).toMatchObject({ amount: 123456, bankCode: '001' });
    });

    it('creates a CREDIT_CARD payment paid on the hosted invoice page', async () => {
      const result = await adapter.createCharge(newContext(), chargeInput({ methods: ['card'] }));
      expect(requestsTo('POST', '/payments')[0].body).toMatchObject({ billingType: 'CREDIT_CARD' });
      expect(result).toMatchObject({ pix: null, boleto: null, objects: [{ kind: 'payment', method: 'card' }] });
      expect(result.checkoutUrl).toMatch(/\/i\/[a-z0-9]{16}$/);
      expect(requestsTo('GET', '/payments/')).toHaveLength(0);
    });

    it('uses UNDEFINED when several methods are allowed and returns both pix and boleto artifacts', async () => {
      const result = await adapter.createCharge(newContext(), chargeInput({ methods: ['pix', 'boleto', 'card'] }));
      expect(requestsTo('POST', '/payments')[0].body).toMatchObject({ billingType: 'UNDEFINED' });
      expect(result.objects[0].method).toBe('undefined');
      expect(hasError(parsePix(result.pix?.copyPaste ?? ''))).toBe(false);
      expect(isValidBoleto(result.boleto?.digitableLine ?? '')).toBe(true);
    });

    it('reuses an existing customer id and creates no customer', async () => {
      const ctx = newContext();
      const customerId = await adapter.ensureCustomer(ctx, chargeInput().customer);
      await adapter.createCharge(ctx, chargeInput({ gatewayCustomerId: customerId }));
      expect(requestsTo('POST', '/customers')).toHaveLength(1);
      expect(requestsTo('POST', '/payments')[0].body).toMatchObject({ customer: customerId });
    });

    it('is safe to retry: the same reference returns the charge already created', async () => {
      const ctx = newContext();
      const input = chargeInput({ methods: ['pix'] });
      const first = await adapter.createCharge(ctx, input);
      const second = await adapter.createCharge(ctx, input);
      expect(second.objects).toEqual(first.objects);
      expect(second.pix?.copyPaste).toBe(first.pix?.copyPaste);
      expect(requestsTo('POST', '/payments')).toHaveLength(1);
    });

    it('creates installments with installmentCount + totalValue and returns every installment payment', async () => {
      const ctx = newContext();
      const input = chargeInput({ methods: ['card'], amount: new Big('100.00'), installments: 3 });
      const result = await adapter.createCharge(ctx, input);
      const create = requestsTo('POST', '/payments')[0].body;
      expect(create).toMatchObject({ installmentCount: 3, totalValue: 100 });
      expect(create).not.toHaveProperty('value');
      expect(result.objects).toHaveLength(3);
      const states = await adapter.listPaymentsByReference(ctx, input.reference);
      const byId = new Map(states.map((state) => [state.gatewayPaymentId, state]));
      expect(result.objects.map((object) => byId.get(object.id)?.amount.toFixed(2))).toEqual(['33.33', '33.33', '33.34']);
      expect(result.objects.map((object) => byId.get(object.id)?.dueDate)).toEqual([input.dueDate, addMonths(input.dueDate, 1), addMonths(input.dueDate, 2)]);
    });

    it.each<[PaymentMethod[], number]>([
      [['pix'], 2],
      [['card'], 22],
      [['boleto'], 13],
    ])('rejects %j in %i installments before calling Asaas', async (methods, installments) => {
      const error = await gatewayError(adapter.createCharge(newContext(), chargeInput({ methods, installments })));
      expect(error.kind).toBe('validation');
      expect(simulator.requests()).toHaveLength(0);
    });

    it('passes the Asaas minimum-value error through', async () => {
      const error = await gatewayError(adapter.createCharge(newContext(), chargeInput({ amount: new Big('3.00') })));
      expect(error).toMatchObject({ kind: 'validation', providerCode: 'invalid_value' });
      expect(error.providerMessage).toContain('não pode ser menor que R$ 5,00');
    });
  });

  describe('reading payments', () => {
    it('finds the charge by reference and answers null for an unknown one', async () => {
      const ctx = newContext();
      const input = chargeInput({ methods: ['pix', 'boleto'] });
      const created = await adapter.createCharge(ctx, input);
      const found = await adapter.findChargeByReference(ctx, input.reference);
      expect(found?.objects).toEqual(created.objects);
      expect(found?.checkoutUrl).toBe(created.checkoutUrl);
      expect(found?.pix?.copyPaste).toBe(created.pix?.copyPaste);
      expect(found?.boleto?.digitableLine).toBe(created.boleto?.digitableLine);
      expect(await adapter.findChargeByReference(ctx, 'chg_never_created')).toBeNull();
      expect(requestsTo('GET', '/payments?externalReference=chg_never_created')).toHaveLength(1);
    });

    it('is pending right after creation', async () => {
      const ctx = newContext();
      const { objects } = await adapter.createCharge(ctx, chargeInput());
      const state = await adapter.getPayment(ctx, objects[0].id);
      expect(state).toMatchObject({ status: 'pending', providerStatus: 'PENDING', method: 'pix', amountPaid: null, paidAt: null, refunds: [] });
      expect(state.amount.toFixed(2)).toBe('49.90');
    });

    it('is succeeded after a pix payment', async () => {
      const ctx = newContext();
      const { objects } = await adapter.createCharge(ctx, chargeInput());
      await simulator.pay(objects[0].id);
      const state = await adapter.getPayment(ctx, objects[0].id);
      expect(state).toMatchObject({ status: 'succeeded', providerStatus: 'RECEIVED', method: 'pix', paidAt: today() });
      expect(state.amountPaid?.toFixed(2)).toBe('49.90');
      expect(state.interestAmount.toFixed(2)).toBe('0.00');
    });

    it('is succeeded (CONFIRMED) after a card payment', async () => {
      const ctx = newContext();
      const { objects } = await adapter.createCharge(ctx, chargeInput({ methods: ['card'] }));
      await simulator.pay(objects[0].id, { method: 'card' });
      expect(await adapter.getPayment(ctx, objects[0].id)).toMatchObject({ status: 'succeeded', providerStatus: 'CONFIRMED', method: 'card' });
    });

    it('records the method the payer chose on an UNDEFINED charge', async () => {
      const ctx = newContext();
      const { objects } = await adapter.createCharge(ctx, chargeInput({ methods: ['pix', 'boleto', 'card'] }));
      await simulator.pay(objects[0].id, { method: 'boleto' });
      expect(await adapter.getPayment(ctx, objects[0].id)).toMatchObject({ status: 'succeeded', method: 'boleto' });
    });

    it('is overdue after expiry', async () => {
      const ctx = newContext();
      const { objects } = await adapter.createCharge(ctx, chargeInput({ methods: ['boleto'] }));
      await simulator.expire(objects[0].id);
      expect(await adapter.getPayment(ctx, objects[0].id)).toMatchObject({ status: 'overdue', providerStatus: 'OVERDUE' });
    });

    it('reports interest and fine of a late payment the way Asaas does (originalValue + interestValue)', async () => {
      const ctx = newContext();
      const customer = await adapter.ensureCustomer(ctx, chargeInput().customer);
      const { data } = await axios.post<AsaasPayment>(
        `${simulator.baseUrl}/payments`,
        { customer, billingType: 'BOLETO', value: 100, dueDate: today(), externalReference: 'late-1', fine: { value: 2 }, interest: { value: 1 } },
        { headers: { access_token: ctx.credentials.apiKey } },
      );
      await simulator.expire(data.id);
      await simulator.pay(data.id);
      const state = await adapter.getPayment(ctx, data.id);
      // 2% fine + 1% a month for one day: 2.00 + 0.03.
      expect(state.status).toBe('succeeded');
      expect(state.amount.toFixed(2)).toBe('100.00');
      expect(state.amountPaid?.toFixed(2)).toBe('102.03');
      expect(state.interestAmount.toFixed(2)).toBe('2.03');
      expect(state.fineAmount.toFixed(2)).toBe('0.00');
      expect(state.raw).toMatchObject({ value: 102.03, originalValue: 100, interestValue: 2.03 });
    });

    it('shows a smaller amount paid as succeeded with amountPaid below amount', async () => {
      const ctx = newContext();
      const { objects } = await adapter.createCharge(ctx, chargeInput({ methods: ['boleto'], amount: new Big('80.00') }));
      await simulator.pay(objects[0].id, { amount: '60.00' });
      const state = await adapter.getPayment(ctx, objects[0].id);
      expect(state.status).toBe('succeeded');
      expect(state.amount.toFixed(2)).toBe('80.00');
      expect(state.amountPaid?.toFixed(2)).toBe('60.00');
    });

    it('maps a chargeback', async () => {
      const ctx = newContext();
      const { objects } = await adapter.createCharge(ctx, chargeInput({ methods: ['card'] }));
      await simulator.pay(objects[0].id, { method: 'card' });
      await simulator.chargeback(objects[0].id);
      expect(await adapter.getPayment(ctx, objects[0].id)).toMatchObject({ status: 'chargeback', providerStatus: 'CHARGEBACK_REQUESTED' });
    });

    it('reads a payment that does not exist as not_found', async () => {
      const error = await gatewayError(adapter.getPayment(newContext(), 'pay_doesnotexist0000'));
      expect(error).toMatchObject({ kind: 'not_found', httpStatus: 404 });
    });
  });

  describe('cancelCharge', () => {
    it('deletes every payment, after which they read as canceled and disappear from the reference list', async () => {
      const ctx = newContext();
      const input = chargeInput({ methods: ['boleto'], amount: new Big('60.00'), installments: 2 });
      const { objects } = await adapter.createCharge(ctx, input);
      await adapter.cancelCharge(ctx, objects);
      expect(requestsTo('DELETE', '/payments/')).toHaveLength(2);
      expect(await adapter.getPayment(ctx, objects[0].id)).toMatchObject({ status: 'canceled', providerStatus: 'PENDING' });
      expect(await adapter.listPaymentsByReference(ctx, input.reference)).toEqual([]);
      expect(await adapter.findChargeByReference(ctx, input.reference)).toBeNull();
      await expect(adapter.cancelCharge(ctx, objects)).resolves.toBeUndefined();
    });

    it('refuses to cancel a received payment', async () => {
      const ctx = newContext();
      const { objects } = await adapter.createCharge(ctx, chargeInput());
      await simulator.pay(objects[0].id);
      const error = await gatewayError(adapter.cancelCharge(ctx, objects));
      expect(error.kind).toBe('validation');
    });
  });

  describe('refund', () => {
    async function paidPixPayment(ctx: GatewayContext, amount = '100.00'): Promise<string> {
      const { objects } = await adapter.createCharge(ctx, chargeInput({ amount: new Big(amount) }));
      await simulator.pay(objects[0].id);
      return objects[0].id;
    }

    it('refunds in full (no value sent)', async () => {
      const ctx = newContext();
      const paymentId = await paidPixPayment(ctx);
      const refund = await adapter.refund(ctx, { gatewayPaymentId: paymentId, idempotencyKey: 'rf-full', description: 'Cliente desistiu' });
      expect(refund).toMatchObject({ gatewayRefundId: `${paymentId}:refund:1`, status: 'succeeded', providerStatus: 'DONE' });
      expect(refund.amount.toFixed(2)).toBe('100.00');
      expect(requestsTo('POST', `/payments/${paymentId}/refund`)[0].body).toEqual({ description: 'Cliente desistiu [ref:rf-full]' });
      const state = await adapter.getPayment(ctx, paymentId);
      expect(state).toMatchObject({ status: 'refunded', providerStatus: 'REFUNDED' });
      expect(state.amountRefunded.toFixed(2)).toBe('100.00');
    });

    it('refunds partially, twice, and does not refund again on a retry with the same key', async () => {
      const ctx = newContext();
      const paymentId = await paidPixPayment(ctx);
      const first = await adapter.refund(ctx, { gatewayPaymentId: paymentId, amount: new Big('10.00'), idempotencyKey: 'rf-1' });
      expect(requestsTo('POST', `/payments/${paymentId}/refund`)[0].body).toEqual({ value: 10, description: 'Estorno [ref:rf-1]' });
      expect(first).toMatchObject({ gatewayRefundId: `${paymentId}:refund:1`, status: 'succeeded' });

      let state = await adapter.getPayment(ctx, paymentId);
      expect(state).toMatchObject({ status: 'partially_refunded', providerStatus: 'RECEIVED' });
      expect(state.amountRefunded.toFixed(2)).toBe('10.00');

      const second = await adapter.refund(ctx, { gatewayPaymentId: paymentId, amount: new Big('15.50'), idempotencyKey: 'rf-2' });
      expect(second.gatewayRefundId).toBe(`${paymentId}:refund:2`);
      expect(second.amount.toFixed(2)).toBe('15.50');

      const retry = await adapter.refund(ctx, { gatewayPaymentId: paymentId, amount: new Big('10.00'), idempotencyKey: 'rf-1' });
      expect(retry.gatewayRefundId).toBe(first.gatewayRefundId);
      expect(requestsTo('POST', `/payments/${paymentId}/refund`)).toHaveLength(2);

      state = await adapter.getPayment(ctx, paymentId);
      expect(state.amountRefunded.toFixed(2)).toBe('25.50');
      expect(state.refunds.map((refund) => refund.gatewayRefundId)).toEqual([first.gatewayRefundId, second.gatewayRefundId]);
    });

    it('becomes refunded when partial refunds reach the amount paid', async () => {
      const ctx = newContext();
      const paymentId = await paidPixPayment(ctx, '20.00');
      await adapter.refund(ctx, { gatewayPaymentId: paymentId, amount: new Big('5.00'), idempotencyKey: 'a' });
      await adapter.refund(ctx, { gatewayPaymentId: paymentId, amount: new Big('15.00'), idempotencyKey: 'b' });
      expect(await adapter.getPayment(ctx, paymentId)).toMatchObject({ status: 'refunded', providerStatus: 'REFUNDED' });
    });

    it('reads a refund made in the Asaas panel (full and partial)', async () => {
      const ctx = newContext();
      const partial = await paidPixPayment(ctx);
      await simulator.refundInPanel(partial, '30.00');
      const partialState = await adapter.getPayment(ctx, partial);
      expect(partialState.status).toBe('partially_refunded');
      expect(partialState.amountRefunded.toFixed(2)).toBe('30.00');

      const full = await paidPixPayment(ctx);
      await simulator.refundInPanel(full);
      expect(await adapter.getPayment(ctx, full)).toMatchObject({ status: 'refunded' });
    });

    it('rejects a refund above what is left, and a boleto refund (Asaas uses bankSlip/refund for those)', async () => {
      const ctx = newContext();
      const paymentId = await paidPixPayment(ctx, '10.00');
      const tooMuch = await gatewayError(adapter.refund(ctx, { gatewayPaymentId: paymentId, amount: new Big('10.01'), idempotencyKey: 'x' }));
      expect(tooMuch).toMatchObject({ kind: 'validation', providerCode: 'invalid_value' });

      const { objects } = await adapter.createCharge(ctx, chargeInput({ methods: ['boleto'] }));
      await simulator.pay(objects[0].id, { method: 'boleto' });
      const boleto = await gatewayError(adapter.refund(ctx, { gatewayPaymentId: objects[0].id, idempotencyKey: 'y' }));
      expect(boleto).toMatchObject({ kind: 'validation', providerCode: 'invalid_action' });
    });
  });

  describe('webhooks', () => {
    it('registers one SEQUENTIALLY webhook with our events, and updates it on re-registration', async () => {
      const ctx = newContext();
      const id = await adapter.registerWebhook(ctx, { url: receiver.url, authToken: 'token-1', email: 'ops@example.com' });
      const again = await adapter.registerWebhook(ctx, { url: receiver.url, authToken: 'token-2' });
      expect(again).toBe(id);
      expect(requestsTo('POST', '/webhooks')).toHaveLength(1);
      expect(requestsTo('POST', '/webhooks')[0].body).toEqual({
        name: `ConversaLabs Payments ${ctx.connectionId}`,
        url: receiver.url,
        email: 'ops@example.com',
        enabled: true,
        interrupted: false,
        apiVersion: 3,
        authToken: 'token-1',
        sendType: 'SEQUENTIALLY',
        events: [...ASAAS_WEBHOOK_EVENTS],
      });
      // No e-mail given: the account e-mail from commercialInfo is used.
      expect(requestsTo('PUT', `/webhooks/${id}`)[0].body).toMatchObject({ authToken: 'token-2', email: expect.stringMatching(/@loja-simulada\.com\.br$/) });
    });

    it('delivers a PAYMENT_RECEIVED that verifies with the registered token and parses to the payment state', async () => {
      const ctx = newContext();
      await adapter.registerWebhook(ctx, { url: receiver.url, authToken: ctx.credentials.webhookAuthToken ?? '', email: 'ops@example.com' });
      const input = chargeInput();
      const { objects } = await adapter.createCharge(ctx, input);
      await simulator.pay(objects[0].id);
      await simulator.waitForWebhooks();

      const events = receiver.received.map((webhook) => adapter.parseWebhook(asRawRequest(webhook)));
      expect(events.map((event) => event.eventType)).toEqual(['PAYMENT_CREATED', 'PAYMENT_RECEIVED']);
      const received = receiver.received[1];
      expect(adapter.verifyWebhook(ctx, asRawRequest(received))).toBe(true);
      expect(events[1]).toMatchObject({ category: 'payment', gatewayPaymentId: objects[0].id, externalReference: input.reference });
      expect(events[1].providerEventId).toMatch(/^evt_[0-9a-f]{32}&\d+$/);
      expect(events[1].payment).toMatchObject({ status: 'succeeded', providerStatus: 'RECEIVED' });
      expect(events[1].payment?.amountPaid?.toFixed(2)).toBe('49.90');
    });

    it('fires overdue, refund and chargeback events with their categories', async () => {
      const ctx = newContext();
      await adapter.registerWebhook(ctx, { url: receiver.url, authToken: 't', email: 'ops@example.com' });
      const overdue = await adapter.createCharge(ctx, chargeInput({ methods: ['boleto'] }));
      await simulator.expire(overdue.objects[0].id);
      const card = await adapter.createCharge(ctx, chargeInput({ methods: ['card'], amount: new Big('50.00') }));
      await simulator.pay(card.objects[0].id, { method: 'card' });
      await simulator.refundInPanel(card.objects[0].id, '10.00');
      await simulator.chargeback(card.objects[0].id);
      await simulator.waitForWebhooks();
      const events = receiver.received.map((webhook) => adapter.parseWebhook(asRawRequest(webhook)));
      expect(events.map((event) => [event.eventType, event.category, event.payment?.status])).toEqual([
        ['PAYMENT_CREATED', 'payment', 'pending'],
        ['PAYMENT_OVERDUE', 'payment', 'overdue'],
        ['PAYMENT_CREATED', 'payment', 'pending'],
        ['PAYMENT_CONFIRMED', 'payment', 'succeeded'],
        ['PAYMENT_PARTIALLY_REFUNDED', 'refund', 'partially_refunded'],
        ['PAYMENT_CHARGEBACK_REQUESTED', 'chargeback', 'chargeback'],
      ]);
    });

    it('rejects a wrong or missing asaas-access-token, and any token when none is configured', async () => {
      const ctx = newContext();
      const body = Buffer.from('{"event":"PAYMENT_RECEIVED"}');
      const request = (headers: RawWebhookRequest['headers']): RawWebhookRequest => ({ headers, query: {}, rawBody: body });
      const token = ctx.credentials.webhookAuthToken ?? '';
      expect(adapter.verifyWebhook(ctx, request({ 'asaas-access-token': token }))).toBe(true);
      expect(adapter.verifyWebhook(ctx, request({ 'Asaas-Access-Token': [token] }))).toBe(true);
      expect(adapter.verifyWebhook(ctx, request({ 'asaas-access-token': `${token}x` }))).toBe(false);
      expect(adapter.verifyWebhook(ctx, request({ 'asaas-access-token': 'short' }))).toBe(false);
      expect(adapter.verifyWebhook(ctx, request({}))).toBe(false);
      expect(adapter.verifyWebhook({ ...ctx, credentials: { apiKey: 'k' } }, request({ 'asaas-access-token': token }))).toBe(false);
    });

    it('records failed deliveries and retries them a bounded number of times', async () => {
      const ctx = newContext();
      await adapter.registerWebhook(ctx, { url: receiver.url, authToken: 'tok', email: 'ops@example.com' });
      const { objects } = await adapter.createCharge(ctx, chargeInput());
      await simulator.waitForWebhooks();
      receiver.statuses = [500, 503];
      await simulator.pay(objects[0].id);
      const received = simulator.deliveries().filter((delivery) => delivery.body.includes('"PAYMENT_RECEIVED"'));
      expect(received.map((delivery) => delivery.status)).toEqual([500, 503, 200]);
      expect(received[0].headers['asaas-access-token']).toBe('tok');

      receiver.statuses = [500, 500, 500, 500];
      await simulator.refundInPanel(objects[0].id);
      const refunded = simulator.deliveries().filter((delivery) => delivery.body.includes('"PAYMENT_REFUNDED"'));
      expect(refunded.map((delivery) => delivery.status)).toEqual([500, 500, 500]);
    });

    it('records an unreachable endpoint as status null, and records without sending when delivery is off', async () => {
      const ctx = newContext();
      await adapter.registerWebhook(ctx, { url: 'http://127.0.0.1:9/unreachable', authToken: 'tok', email: 'ops@example.com' });
      await adapter.createCharge(ctx, chargeInput());
      await simulator.waitForWebhooks();
      expect(simulator.deliveries().map((delivery) => delivery.status)).toEqual([null, null, null]);

      simulator.setWebhookDelivery(false);
      await adapter.registerWebhook(ctx, { url: receiver.url, authToken: 'tok', email: 'ops@example.com' });
      await adapter.createCharge(ctx, chargeInput());
      await simulator.waitForWebhooks();
      expect(receiver.received).toHaveLength(0);
      expect(simulator.deliveries().filter((delivery) => delivery.url === receiver.url)).toEqual([
        expect.objectContaining({ status: null }),
      ]);
    });

    it('parses the official PAYMENT_RECEIVED example', () => {
      const example = JSON.parse(readFileSync(path.join(ASAAS_REFERENCE, 'examples/webhook-event-PAYMENT_RECEIVED.json'), 'utf8')) as { body: unknown };
      const rawBody = Buffer.from(JSON.stringify(example.body));
      const event = adapter.parseWebhook({ headers: {}, query: {}, rawBody });
      expect(event).toMatchObject({
        providerEventId: 'evt_05b708f961d739ea7eba7e4db318f621&368604920',
        eventType: 'PAYMENT_RECEIVED',
        category: 'payment',
        gatewayPaymentId: 'pay_080225913252',
        externalReference: '056984',
      });
      expect(event.payment).toMatchObject({ status: 'succeeded', providerStatus: 'RECEIVED', method: 'card', paidAt: '2021-01-01', dueDate: '2021-01-01' });
      expect(event.payment?.amount.toFixed(2)).toBe('100.00');
      expect(event.payment?.amountPaid?.toFixed(2)).toBe('100.00');
    });

    it('falls back to a SHA-256 of the raw body when the event has no id', () => {
      const rawBody = Buffer.from('{"event":"PAYMENT_OVERDUE"}');
      const event = adapter.parseWebhook({ headers: {}, query: {}, rawBody });
      expect(event).toMatchObject({ providerEventId: expect.stringMatching(/^[0-9a-f]{64}$/), category: 'payment', payment: null, gatewayPaymentId: null });
      expect(adapter.parseWebhook({ headers: {}, query: {}, rawBody }).providerEventId).toBe(event.providerEventId);
    });

    it('rejects a body that is not an Asaas event', () => {
      expect(() => adapter.parseWebhook({ headers: {}, query: {}, rawBody: Buffer.from('not json') })).toThrow(GatewayError);
      expect(() => adapter.parseWebhook({ headers: {}, query: {}, rawBody: Buffer.from('{"id":"evt_1"}') })).toThrow(GatewayError);
    });
  });

  describe('status maps', () => {
    const enums = JSON.parse(readFileSync(path.join(ASAAS_REFERENCE, 'enums.json'), 'utf8')) as {
      payment_status: { values: string[] };
      payment_status_extra_in_practice: string[];
      refund_status: { values: string[] };
    };

    it('knows exactly the payment statuses of enums.json plus AUTHORIZED', () => {
      expect([...ASAAS_PAYMENT_STATUSES].sort()).toEqual([...enums.payment_status.values, ...enums.payment_status_extra_in_practice].sort());
      expect([...ASAAS_REFUND_STATUSES].sort()).toEqual([...enums.refund_status.values].sort());
    });

    it.each([
      ['PENDING', 'pending'],
      ['AUTHORIZED', 'processing'],
      ['AWAITING_RISK_ANALYSIS', 'processing'],
      ['CONFIRMED', 'succeeded'],
      ['RECEIVED', 'succeeded'],
      ['RECEIVED_IN_CASH', 'succeeded'],
      ['DUNNING_RECEIVED', 'succeeded'],
      ['OVERDUE', 'overdue'],
      ['DUNNING_REQUESTED', 'overdue'],
      ['REFUND_REQUESTED', 'refund_pending'],
      ['REFUND_IN_PROGRESS', 'refund_pending'],
      ['REFUNDED', 'refunded'],
      ['CHARGEBACK_REQUESTED', 'chargeback'],
      ['CHARGEBACK_DISPUTE', 'chargeback'],
      ['AWAITING_CHARGEBACK_REVERSAL', 'chargeback_reversed'],
    ])('maps payment status %s to %s', (status, expected) => {
      expect(mapAsaasPaymentStatus(status)).toBe(expected);
    });

    it('maps every payment status in enums.json', () => {
      for (const status of enums.payment_status.values) expect(() => mapAsaasPaymentStatus(status)).not.toThrow();
    });

    it.each([
      ['PENDING', 'pending'],
      ['AWAITING_CRITICAL_ACTION_AUTHORIZATION', 'pending'],
      ['AWAITING_CUSTOMER_EXTERNAL_AUTHORIZATION', 'pending'],
      ['CANCELLED', 'canceled'],
      ['DONE', 'succeeded'],
    ])('maps refund status %s to %s', (status, expected) => {
      expect(mapAsaasRefundStatus(status)).toBe(expected);
    });

    it.each(['PARTIALLY_REFUNDED', 'received', '', 'PAID'])('throws unknown_status for payment status %j', (status) => {
      expect(() => mapAsaasPaymentStatus(status)).toThrow(expect.objectContaining({ kind: 'unknown_status' }));
    });

    it('throws unknown_status for an unknown refund status, also inside a payment', () => {
      expect(() => mapAsaasRefundStatus('REFUSED')).toThrow(expect.objectContaining({ kind: 'unknown_status' }));
      const rawBody = Buffer.from(JSON.stringify({ id: 'evt_x', event: 'PAYMENT_UPDATED', payment: { id: 'pay_1', status: 'SOMETHING_NEW', value: 10, billingType: 'PIX', dueDate: '2025-01-01', deleted: false } }));
      expect(() => adapter.parseWebhook({ headers: {}, query: {}, rawBody })).toThrow(expect.objectContaining({ kind: 'unknown_status' }));
    });

    it.each([
      ['PAYMENT_RECEIVED', 'payment'],
      ['PAYMENT_RECEIVED_IN_CASH_UNDONE', 'payment'],
      ['PAYMENT_REFUNDED', 'refund'],
      ['PAYMENT_PARTIALLY_REFUNDED', 'refund'],
      ['PAYMENT_REFUND_IN_PROGRESS', 'refund'],
      ['PAYMENT_REFUND_DENIED', 'refund'],
      ['PAYMENT_CHARGEBACK_REQUESTED', 'chargeback'],
      ['PAYMENT_AWAITING_CHARGEBACK_REVERSAL', 'chargeback'],
      ['SUBSCRIPTION_CREATED', 'subscription'],
      ['TRANSFER_DONE', 'other'],
    ])('puts %s in category %s', (event, category) => {
      expect(webhookCategory(event)).toBe(category);
    });
  });

  describe('error mapping', () => {
    it('maps a simulated 500 to a retryable unavailable, then works again', async () => {
      const ctx = newContext();
      const { objects } = await adapter.createCharge(ctx, chargeInput());
      simulator.failNext(1, 500, /\/payments\//);
      const error = await gatewayError(adapter.getPayment(ctx, objects[0].id));
      expect(error).toMatchObject({ kind: 'unavailable', httpStatus: 500, retryable: true });
      await expect(adapter.getPayment(ctx, objects[0].id)).resolves.toMatchObject({ status: 'pending' });
    });

    it.each([
      [429, 'rate_limited', true],
      [503, 'unavailable', true],
      [400, 'validation', false],
      [401, 'invalid_credentials', false],
      [404, 'not_found', false],
    ])('maps HTTP %i to %s (retryable %s)', async (status, kind, retryable) => {
      const ctx = newContext();
      simulator.failNext(1, status);
      const error = await gatewayError(adapter.validateCredentials(ctx));
      expect(error).toMatchObject({ kind, httpStatus: status, retryable });
      expect(error.message).not.toContain(ctx.credentials.apiKey ?? 'never');
    });

    it('maps a slow answer to timeout', async () => {
      const ctx = newContext();
      const impatient = new AsaasAdapter({ sandboxUrl: simulator.baseUrl, productionUrl: simulator.baseUrl, timeoutMs: 50 });
      simulator.setLatency(300);
      const error = await gatewayError(impatient.validateCredentials(ctx));
      expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    });

    it('maps a refused connection to unavailable', async () => {
      const offline = new AsaasAdapter({ sandboxUrl: 'http://127.0.0.1:9/v3', productionUrl: 'http://127.0.0.1:9/v3' });
      const error = await gatewayError(offline.validateCredentials(newContext()));
      expect(error).toMatchObject({ kind: 'unavailable', httpStatus: null, retryable: true });
    });
  });

  describe('simulator fidelity', () => {
    function post(ctx: GatewayContext, body: unknown) {
      return axios.post(`${simulator.baseUrl}/payments`, body, { headers: { access_token: ctx.credentials.apiKey }, validateStatus: () => true });
    }

    it('answers 401 access_token_not_found without the header', async () => {
      const response = await axios.get(`${simulator.baseUrl}/payments`, { validateStatus: () => true });
      expect(response.status).toBe(401);
      expect(response.data).toEqual({ errors: [{ code: 'access_token_not_found', description: expect.stringContaining('access_token') }] });
    });

    it('validates payment bodies with the Asaas error shape', async () => {
      const ctx = newContext();
      const customer = await adapter.ensureCustomer(ctx, chargeInput().customer);
      const cases: [unknown, string][] = [
        [{ customer: 'cus_000000000000', billingType: 'PIX', value: 10, dueDate: inDays(1) }, 'invalid_customer'],
        [{ customer, billingType: 'BITCOIN', value: 10, dueDate: inDays(1) }, 'invalid_billingType'],
        [{ customer, billingType: 'PIX', value: 10, dueDate: '21/07/2030' }, 'invalid_dueDate'],
        [{ customer, billingType: 'PIX', value: 10, dueDate: '2020-01-01' }, 'invalid_dueDate'],
        [{ customer, billingType: 'PIX', value: 4.99, dueDate: inDays(1) }, 'invalid_value'],
        [{ customer, billingType: 'CREDIT_CARD', installmentCount: 22, totalValue: 500, dueDate: inDays(1) }, 'invalid_installmentCount'],
      ];
      for (const [body, code] of cases) {
        const response = await post(ctx, body);
        expect([response.status, response.data.errors[0].code]).toEqual([400, code]);
      }
    });

    it('lists with the Asaas envelope and pages', async () => {
      const ctx = newContext();
      const input = chargeInput({ methods: ['boleto'], amount: new Big('100.00'), installments: 5 });
      await adapter.createCharge(ctx, input);
      const { data } = await axios.get(`${simulator.baseUrl}/payments`, {
        params: { externalReference: input.reference, offset: 1, limit: 2 },
        headers: { access_token: ctx.credentials.apiKey },
      });
      expect(data).toMatchObject({ object: 'list', hasMore: true, totalCount: 5, limit: 2, offset: 1 });
      expect(data.data).toHaveLength(2);
    });

    it('answers 403 to a GET with a body', async () => {
      const ctx = newContext();
      const response = await axios.request({ method: 'GET', url: `${simulator.baseUrl}/payments`, data: { x: 1 }, headers: { access_token: ctx.credentials.apiKey }, validateStatus: () => true });
      expect(response.status).toBe(403);
    });

    it('exposes control operations over HTTP', async () => {
      const { data: account } = await axios.post(`${simulator.origin}/_sim/accounts`, { name: 'Outra Loja' });
      const ctx: GatewayContext = { connectionId: 'http', environment: 'sandbox', credentials: account.credentials };
      const { objects } = await adapter.createCharge(ctx, chargeInput());
      await axios.post(`${simulator.origin}/_sim/payments/${objects[0].id}/pay`, {});
      const { data: payments } = await axios.get(`${simulator.origin}/_sim/payments`);
      expect(payments).toEqual([expect.objectContaining({ id: objects[0].id, accountId: account.id, status: 'RECEIVED', method: 'PIX', value: '49.90', amountPaid: '49.90', amountRefunded: '0.00' })]);
      await axios.post(`${simulator.origin}/_sim/payments/${objects[0].id}/refund`, { amount: '9.90' });
      expect((await adapter.getPayment(ctx, objects[0].id)).amountRefunded.toFixed(2)).toBe('9.90');
      const invoice = await axios.get<string>(objects.length ? `${simulator.origin}/i/${objects[0].id.slice(4)}` : '');
      expect(invoice.data).toContain('R$ 49,90');
    });
  });
});

function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}
