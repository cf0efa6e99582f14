import http from 'node:http';
import { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import axios from 'axios';
import Big from 'big.js';
import { formatInTimeZone } from 'date-fns-tz';
import { getBoletoInfo, isValidBoleto } from '@brazilian-utils/brazilian-utils';
import { hasError, parsePix } from 'pix-utils';
import QRCode from 'qrcode';
import {
  CreateGatewayChargeInput,
  GatewayContext,
  GatewayError,
  GatewayPaymentStatus,
  RawWebhookRequest,
} from '../../../src/gateways/contract/payment-gateway';
import { deriveIdempotencyKey, MercadoPagoAdapter } from '../../../src/gateways/mercadopago/mercadopago.adapter';
import { mapPaymentStatus, mapRefundStatus } from '../../../src/gateways/mercadopago/mercadopago-status.map';
import { MercadoPagoSimulator } from '../../simulators/mercadopago/mercadopago-simulator';

const REFERENCE = path.resolve(__dirname, '../../../../shared/reference/gateways/mercadopago');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// pngjs (qrcode's own PNG library, untyped here) decodes the image independently of the simulator's encoder.
const { PNG } = require('pngjs') as { PNG: { sync: { read(buffer: Buffer): { width: number; height: number; data: Buffer } } } };

/** Samples the centre of every module and compares it with the QR matrix of the text. */
function pngShowsQrOf(base64Png: string, text: string): boolean {
  const image = PNG.sync.read(Buffer.from(base64Png, 'base64'));
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const pixelsPerModule = image.width / (size + 8);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = Math.floor((x + 4 + 0.5) * pixelsPerModule);
      const py = Math.floor((y + 4 + 0.5) * pixelsPerModule);
      const dark = image.data[(py * image.width + px) * 4] < 128;
      if (dark !== !!data[y * size + x]) return false;
    }
  }
  return true;
}

/** A stand-in for our webhook endpoint: records what Mercado Pago (the simulator) sends. */
class WebhookReceiver {
  readonly received: RawWebhookRequest[] = [];
  /** Statuses to answer, in order; 200 once exhausted. */
  private statuses: number[] = [];
  private server = http.createServer((req, res) => this.record(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/mercadopago/conn-1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  answerNext(...statuses: number[]): void {
    this.statuses = statuses;
  }

  clear(): void {
    this.received.length = 0;
    this.statuses = [];
  }

  forPayment(id: string, action?: string): RawWebhookRequest[] {
    return this.received.filter((request) => {
      const body = JSON.parse(request.rawBody.toString('utf8')) as { action: string };
      return request.query['data.id'] === id && (!action || body.action === action);
    });
  }

  private record(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      this.received.push({ headers: { ...req.headers }, query: Object.fromEntries(url.searchParams.entries()), rawBody: Buffer.concat(chunks) });
      res.writeHead(this.statuses.shift() ?? 200).end();
    });
  }
}

async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function expectGatewayError(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

function tomorrowInSaoPaulo(): string {
  return formatInTimeZone(new Date(Date.now() + 86_400_000), 'America/Sao_Paulo', 'yyyy-MM-dd');
}

describe('MercadoPagoAdapter against the Mercado Pago simulator', () => {
  const simulator = new MercadoPagoSimulator({ webhookRetryDelayMs: 20 });
  const receiver = new WebhookReceiver();
  let adapter: MercadoPagoAdapter;
  let ctx: GatewayContext;

  function chargeInput(overrides: Partial<CreateGatewayChargeInput> = {}): CreateGatewayChargeInput {
    const reference = `chg_${randomUUID()}`;
    return {
      reference,
      idempotencyKey: `create:${reference}`,
      gatewayCustomerId: null,
      customer: { name: 'Maria da Silva Santos', cpfCnpj: '19119119100', email: 'maria@example.com.br', phone: null, externalReference: 'cus_1' },
      amount: new Big('49.90'),
      dueDate: tomorrowInSaoPaulo(),
      methods: ['pix'],
      installments: 1,
      description: 'Plano mensal - Atendimento',
      notificationUrl: receiver.url,
      ...overrides,
    };
  }

  function lastRequest(method: string, pathPrefix: string) {
    const found = simulator.requests().filter((request) => request.method === method && request.path.startsWith(pathPrefix));
    return found[found.length - 1];
  }

  beforeAll(async () => {
    await Promise.all([simulator.start(), receiver.start()]);
    adapter = new MercadoPagoAdapter({ apiUrl: simulator.baseUrl, timeoutMs: 2_000 });
    const account = simulator.createAccount({ name: 'Loja Conversa' });
    ctx = { connectionId: 'conn-1', environment: 'sandbox', credentials: account.credentials };
  });

  afterAll(async () => {
    await Promise.all([simulator.stop(), receiver.stop()]);
  });

  beforeEach(() => {
    simulator.reset();
    receiver.clear();
  });

  describe('capabilities and credentials', () => {
    it('declares what Mercado Pago supports here', () => {
      expect(adapter.provider).toBe('mercadopago');
      expect(adapter.capabilities).toEqual({
        paymentMethods: ['pix', 'boleto', 'card'],
        partialRefund: true,
        maxInstallments: { card: 12, boleto: 1, pix: 1 },
        registersWebhookByApi: false,
        sendsOverdueEvents: false,
      });
    });

    it('validates a good access token through GET /users/me', async () => {
      const info = await adapter.validateCredentials(ctx);
      expect(info.externalAccountId).toMatch(/^\d+$/);
      expect(info.name).toBe('Loja Conversa');
      expect(lastRequest('GET', '/users/me')?.headers.authorization).toBe(`Bearer ${ctx.credentials.accessToken}`);
    });

    it('maps a rejected token to invalid_credentials, keeping Mercado Pago’s message and never echoing the token', async () => {
      const token = 'TEST-0000000000000000-010101-deadbeefdeadbeefdeadbeefdeadbeef-123';
      const error = await expectGatewayError(adapter.validateCredentials({ ...ctx, credentials: { accessToken: token } }));
      expect(error).toMatchObject({ kind: 'invalid_credentials', httpStatus: 401, providerMessage: 'invalid access token', retryable: false });
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(token);
    });

    it('fails fast without an access token', async () => {
      const error = await expectGatewayError(adapter.validateCredentials({ ...ctx, credentials: {} }));
      expect(error.kind).toBe('invalid_credentials');
      expect(simulator.requests()).toHaveLength(0);
    });

    it('has no customers or webhook registration API', async () => {
      await expect(adapter.ensureCustomer(ctx, chargeInput().customer)).resolves.toBeNull();
      await expect(adapter.registerWebhook(ctx, { url: receiver.url, authToken: 'x' })).resolves.toBeNull();
      expect(simulator.requests()).toHaveLength(0);
    });
  });

  describe('createCharge', () => {
    it('creates a pix payment with a valid BR Code, a PNG QR code and the due date’s end as expiry', async () => {
      const input = chargeInput();
      const result = await adapter.createCharge(ctx, input);

      expect(result.objects).toEqual([{ kind: 'payment', id: expect.stringMatching(/^\d+$/), method: 'pix' }]);
      const pix = parsePix(result.pix?.copyPaste ?? '');
      expect(hasError(pix)).toBe(false);
      expect(pix).toMatchObject({ type: 'STATIC', transactionAmount: 49.9, txid: `mpqrinter${result.objects[0].id}` });
      expect(Buffer.from(result.pix?.qrCodePng ?? '', 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(pngShowsQrOf(result.pix?.qrCodePng ?? '', result.pix?.copyPaste ?? '')).toBe(true);
      expect(pngShowsQrOf(result.pix?.qrCodePng ?? '', `${result.pix?.copyPaste ?? ''}X`)).toBe(false);
      expect(result.pix?.expiresAt).toBe(new Date(`${input.dueDate}T23:59:59.000-03:00`).toISOString());
      expect(result.checkoutUrl).toMatch(/^https:\/\/www\.mercadopago\.com\.br\/sandbox\/payments\/\d+\/ticket/);
      expect(result.boleto).toBeNull();
    });

    it('sends the documented POST /v1/payments body for pix, with bearer auth and an idempotency key', async () => {
      const input = chargeInput();
      await adapter.createCharge(ctx, input);
      const request = lastRequest('POST', '/v1/payments');
      expect(request.headers.authorization).toBe(`Bearer ${ctx.credentials.accessToken}`);
      expect(request.headers['x-idempotency-key']).toBe(deriveIdempotencyKey(input.idempotencyKey, 'pix'));
      expect(request.body).toEqual({
        transaction_amount: 49.9,
        description: 'Plano mensal - Atendimento',
        payment_method_id: 'pix',
        payer: { email: 'maria@example.com.br', first_name: 'Maria', last_name: 'da Silva Santos', identification: { type: 'CPF', number: '19119119100' } },
        external_reference: input.reference,
        notification_url: receiver.url,
        date_of_expiration: `${input.dueDate}T23:59:59.000-03:00`,
      });
    });

    it('uses only field names that appear in the official SDK request fixtures', async () => {
      await adapter.createCharge(ctx, chargeInput({ methods: ['pix', 'boleto'] }));
      const fixtureKeys = new Set(
        ['request_payment_payment_pix', 'request_payment_payment_boleto'].flatMap((name) =>
          Object.keys(JSON.parse(readFileSync(path.join(REFERENCE, 'examples/sdk-java-mocks', `${name}.json`), 'utf8')) as object),
        ),
      );
      const sentKeys = simulator.requests().filter((request) => request.method === 'POST').flatMap((request) => Object.keys(request.body as object));
      expect(sentKeys.filter((key) => !fixtureKeys.has(key))).toEqual([]);
    });

    it('creates a bolbradesco boleto with a valid 44-digit barcode and 47-digit line for the amount', async () => {
      const result = await adapter.createCharge(ctx, chargeInput({ methods: ['boleto'], amount: new Big('1234.56') }));
      const boleto = result.boleto;
      expect(result.objects).toEqual([{ kind: 'payment', id: expect.any(String), method: 'boleto' }]);
      expect(boleto?.barcode).toMatch(/^\d{44}$/);
      expect(boleto?.digitableLine).toMatch(/^\d{47}$/);
      expect(isValidBoleto(boleto?.digitableLine ?? '')).toBe(true);
      expect(getBoletoInfo(boleto?.digitableLine ?? '')?.amount).toBe(123456);
      expect(boleto?.url).toContain('payment_method_id=bolbradesco');
      expect(lastRequest('POST', '/v1/payments').body).toMatchObject({ payment_method_id: 'bolbradesco', transaction_amount: 1234.56 });
    });

    it('sends a CNPJ payer as CNPJ', async () => {
      const input = chargeInput({ methods: ['boleto'] });
      await adapter.createCharge(ctx, { ...input, customer: { ...input.customer, name: 'Empresa Exemplo Ltda', cpfCnpj: '11.222.333/0001-81' } });
      expect(lastRequest('POST', '/v1/payments').body).toMatchObject({ payer: { identification: { type: 'CNPJ', number: '11222333000181' } } });
    });

    it('creates a Checkout Pro preference for card and links sandbox_init_point in sandbox', async () => {
      const input = chargeInput({ methods: ['card'], installments: 6 });
      const result = await adapter.createCharge(ctx, input);
      expect(result.objects).toEqual([{ kind: 'checkout', id: expect.stringMatching(/^\d+-[0-9a-f-]{36}$/), method: 'card' }]);
      expect(result.checkoutUrl).toBe(`https://sandbox.mercadopago.com.br/checkout/v1/redirect?pref_id=${result.objects[0].id}`);
      expect(result.pix).toBeNull();
      const request = lastRequest('POST', '/checkout/preferences');
      expect(request.headers['x-idempotency-key']).toBe(deriveIdempotencyKey(input.idempotencyKey, 'card'));
      expect(request.body).toEqual({
        items: [{ id: input.reference, title: input.description, quantity: 1, unit_price: 49.9, currency_id: 'BRL' }],
        payer: { name: 'Maria', surname: 'da Silva Santos', email: 'maria@example.com.br', identification: { type: 'CPF', number: '19119119100' } },
        external_reference: input.reference,
        notification_url: receiver.url,
        payment_methods: { excluded_payment_types: [{ id: 'ticket' }, { id: 'bank_transfer' }], installments: 6 },
        expires: true,
        expiration_date_to: `${input.dueDate}T23:59:59.000-03:00`,
      });
    });

    it('links init_point in production', async () => {
      const result = await adapter.createCharge({ ...ctx, environment: 'production' }, chargeInput({ methods: ['card'] }));
      expect(result.checkoutUrl).toBe(`https://www.mercadopago.com.br/checkout/v1/redirect?pref_id=${result.objects[0].id}`);
    });

    it('creates all three: two payments and one preference, the preference being the link', async () => {
      const result = await adapter.createCharge(ctx, chargeInput({ methods: ['pix', 'boleto', 'card'], installments: 3 }));
      expect(result.objects.map((object) => [object.kind, object.method])).toEqual([
        ['payment', 'pix'],
        ['payment', 'boleto'],
        ['checkout', 'card'],
      ]);
      expect(result.checkoutUrl).toContain('sandbox.mercadopago.com.br/checkout');
      expect(hasError(parsePix(result.pix?.copyPaste ?? ''))).toBe(false);
      expect(isValidBoleto(result.boleto?.digitableLine ?? '')).toBe(true);
      expect(simulator.payments().map((payment) => payment.method)).toEqual(['pix', 'bolbradesco']);
      expect(simulator.preferences()).toHaveLength(1);
    });

    it('is idempotent: the same charge created twice yields the same objects and nothing new at Mercado Pago', async () => {
      const input = chargeInput({ methods: ['pix', 'boleto', 'card'] });
      const first = await adapter.createCharge(ctx, input);
      const second = await adapter.createCharge(ctx, input);
      expect(second.objects).toEqual(first.objects);
      expect(second.pix?.copyPaste).toBe(first.pix?.copyPaste);
      expect(simulator.payments()).toHaveLength(2);
      expect(simulator.preferences()).toHaveLength(1);
    });

    it('resumes after a failure between objects without duplicating the ones already created', async () => {
      const input = chargeInput({ methods: ['pix', 'card'] });
      simulator.failNext(1, 503, /^\/checkout\/preferences$/);
      const error = await expectGatewayError(adapter.createCharge(ctx, input));
      expect(error).toMatchObject({ kind: 'unavailable', retryable: true });
      const retried = await adapter.createCharge(ctx, input);
      expect(retried.objects.map((object) => object.kind)).toEqual(['payment', 'checkout']);
      expect(simulator.payments()).toHaveLength(1);
    });

    it('maps Mercado Pago validation errors (payer email, identification) to validation with the cause code', async () => {
      const input = chargeInput();
      const noEmail = await expectGatewayError(adapter.createCharge(ctx, { ...input, customer: { ...input.customer, email: null } }));
      expect(noEmail).toMatchObject({ kind: 'validation', httpStatus: 400, providerMessage: 'payer.email must be a valid email', providerCode: '4050' });
      const badCpf = await expectGatewayError(adapter.createCharge(ctx, { ...input, customer: { ...input.customer, cpfCnpj: '12345678900' } }));
      expect(badCpf).toMatchObject({ kind: 'validation', providerMessage: 'Invalid user identification number', providerCode: '2067' });
      expect(simulator.payments()).toHaveLength(0);
    });

    it('rejects inputs Mercado Pago cannot honour before calling it', async () => {
      for (const input of [
        chargeInput({ methods: [] }),
        chargeInput({ methods: ['pix'], installments: 2 }),
        chargeInput({ methods: ['card'], installments: 13 }),
        chargeInput({ dueDate: '01/12/2026' }),
        chargeInput({ customer: { ...chargeInput().customer, cpfCnpj: '123' } }),
      ]) {
        expect((await expectGatewayError(adapter.createCharge(ctx, input))).kind).toBe('validation');
      }
      expect(simulator.requests()).toHaveLength(0);
    });

    it('derives a distinct, stable, UUID-shaped key per method', () => {
      const pix = deriveIdempotencyKey('create:chg_1', 'pix');
      expect(pix).toBe(deriveIdempotencyKey('create:chg_1', 'pix'));
      expect(pix).not.toBe(deriveIdempotencyKey('create:chg_1', 'boleto'));
      expect(pix).not.toBe(deriveIdempotencyKey('create:chg_2', 'pix'));
      expect(pix).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });
  });

  describe('payment lifecycle and getPayment', () => {
    async function createPix(amount = '49.90') {
      const result = await adapter.createCharge(ctx, chargeInput({ amount: new Big(amount) }));
      return result.objects[0].id;
    }

    it('reads a new payment as pending with its due date', async () => {
      const id = await createPix();
      const state = await adapter.getPayment(ctx, id);
      expect(state).toMatchObject({ gatewayPaymentId: id, status: 'pending', providerStatus: 'pending/pending_waiting_transfer', method: 'pix', amountPaid: null, paidAt: null, dueDate: tomorrowInSaoPaulo(), refunds: [] });
      expect(state.amount.toFixed(2)).toBe('49.90');
    });

    it('reads a paid payment as succeeded with amountPaid and paidAt', async () => {
      const id = await createPix();
      await simulator.pay(id);
      const state = await adapter.getPayment(ctx, id);
      expect(state).toMatchObject({ status: 'succeeded', providerStatus: 'approved/accredited', paidAt: expect.any(String) });
      expect(state.amountPaid?.toFixed(2)).toBe('49.90');
      expect(state.interestAmount.toFixed(2)).toBe('0.00');
    });

    it('reports a smaller amount paid as succeeded with the real amountPaid', async () => {
      const id = await createPix('100.00');
      await simulator.pay(id, { amount: '60.00' });
      const state = await adapter.getPayment(ctx, id);
      expect(state.status).toBe('succeeded');
      expect(state.amountPaid?.toFixed(2)).toBe('60.00');
      expect(state.amount.toFixed(2)).toBe('100.00');
    });

    it('reads an expired payment (cancelled/expired) as overdue', async () => {
      const id = await createPix();
      await simulator.expire(id);
      expect(await adapter.getPayment(ctx, id)).toMatchObject({ status: 'overdue', providerStatus: 'cancelled/expired', amountPaid: null });
    });

    it('reads a panel refund as refunded, and a partial one as partially_refunded with the refund object', async () => {
      const full = await createPix();
      await simulator.pay(full);
      await simulator.refundInPanel(full);
      const fullState = await adapter.getPayment(ctx, full);
      expect(fullState).toMatchObject({ status: 'refunded', providerStatus: 'refunded/refunded' });
      expect(fullState.amountRefunded.toFixed(2)).toBe('49.90');

      const partial = await createPix();
      await simulator.pay(partial);
      await simulator.refundInPanel(partial, '10.00');
      const partialState = await adapter.getPayment(ctx, partial);
      expect(partialState).toMatchObject({ status: 'partially_refunded', providerStatus: 'approved/partially_refunded' });
      expect(partialState.amountRefunded.toFixed(2)).toBe('10.00');
      expect(partialState.refunds).toEqual([expect.objectContaining({ status: 'succeeded', providerStatus: 'approved', gatewayRefundId: expect.any(String) })]);
      expect(partialState.refunds[0].amount.toFixed(2)).toBe('10.00');
    });

    it('reads a chargeback as chargeback', async () => {
      const id = await createPix();
      await simulator.pay(id);
      await simulator.chargeback(id);
      expect(await adapter.getPayment(ctx, id)).toMatchObject({ status: 'chargeback', providerStatus: 'charged_back/settled' });
    });

    it('maps an unknown payment to not_found', async () => {
      const error = await expectGatewayError(adapter.getPayment(ctx, '999'));
      expect(error).toMatchObject({ kind: 'not_found', httpStatus: 404, providerMessage: expect.stringContaining('Payment not found') });
    });

    it('does not show another account’s payments', async () => {
      const id = await createPix();
      const other = simulator.createAccount();
      const error = await expectGatewayError(adapter.getPayment({ ...ctx, credentials: other.credentials }, id));
      expect(error.kind).toBe('not_found');
    });
  });

  describe('checkout (preference) payments', () => {
    it('a buyer paying the preference creates an approved card payment carrying our reference', async () => {
      const input = chargeInput({ methods: ['card'] });
      const result = await adapter.createCharge(ctx, input);
      await simulator.pay(result.objects[0].id);

      const payments = await adapter.listPaymentsByReference(ctx, input.reference);
      expect(payments).toHaveLength(1);
      expect(payments[0]).toMatchObject({ status: 'succeeded', method: 'card', externalReference: input.reference });
      expect(payments[0].amountPaid?.toFixed(2)).toBe('49.90');
      const notice = await waitFor(() => receiver.forPayment(payments[0].gatewayPaymentId)[0]);
      expect(adapter.verifyWebhook(ctx, notice)).toBe(true);
    });
  });

  describe('findChargeByReference and listPaymentsByReference', () => {
    it('returns null when nothing was created', async () => {
      await expect(adapter.findChargeByReference(ctx, 'chg_never_created')).resolves.toBeNull();
      expect(lastRequest('GET', '/v1/payments/search')?.path).toBe('/v1/payments/search?external_reference=chg_never_created&sort=date_created&criteria=desc&limit=100&offset=0');
      expect(lastRequest('GET', '/checkout/preferences/search')?.path).toBe('/checkout/preferences/search?external_reference=chg_never_created');
    });

    it('recovers every object and artifact of a charge from its reference', async () => {
      const input = chargeInput({ methods: ['pix', 'boleto', 'card'] });
      const created = await adapter.createCharge(ctx, input);
      const found = await adapter.findChargeByReference(ctx, input.reference);
      expect(found?.objects).toEqual(expect.arrayContaining(created.objects));
      expect(found?.objects).toHaveLength(3);
      expect(found?.pix).toEqual(created.pix);
      expect(found?.boleto).toEqual(created.boleto);
      expect(found?.checkoutUrl).toBe(created.checkoutUrl);
    });

    it('does not mix references', async () => {
      const first = chargeInput();
      await adapter.createCharge(ctx, first);
      await adapter.createCharge(ctx, chargeInput());
      expect((await adapter.listPaymentsByReference(ctx, first.reference)).map((payment) => payment.externalReference)).toEqual([first.reference]);
    });

    it('lists newest first', async () => {
      const input = chargeInput({ methods: ['pix', 'boleto'] });
      await adapter.createCharge(ctx, input);
      expect((await adapter.listPaymentsByReference(ctx, input.reference)).map((payment) => payment.method)).toEqual(['boleto', 'pix']);
    });
  });

  describe('cancelCharge', () => {
    it('cancels payments with PUT {status:"cancelled"} and closes the preference', async () => {
      const input = chargeInput({ methods: ['pix', 'boleto', 'card'] });
      const result = await adapter.createCharge(ctx, input);
      await adapter.cancelCharge(ctx, result.objects);

      for (const object of result.objects.filter((candidate) => candidate.kind === 'payment')) {
        expect(await adapter.getPayment(ctx, object.id)).toMatchObject({ status: 'canceled', providerStatus: 'cancelled/by_collector' });
      }
      expect(simulator.requests().filter((request) => request.method === 'PUT' && request.path.startsWith('/v1/payments/')).map((request) => request.body)).toEqual([
        { status: 'cancelled' },
        { status: 'cancelled' },
      ]);
      const preference = simulator.preferences()[0];
      expect(preference.expires).toBe(true);
      expect(Date.parse(preference.expirationDateTo ?? '')).toBeLessThanOrEqual(Date.now());
      await expect(simulator.pay(preference.id)).rejects.toThrow(/expired/);
    });

    it('is harmless when repeated', async () => {
      const result = await adapter.createCharge(ctx, chargeInput());
      await adapter.cancelCharge(ctx, result.objects);
      await expect(adapter.cancelCharge(ctx, result.objects)).resolves.toBeUndefined();
    });

    it('refuses to cancel a paid payment (refund it instead)', async () => {
      const result = await adapter.createCharge(ctx, chargeInput());
      await simulator.pay(result.objects[0].id);
      expect((await expectGatewayError(adapter.cancelCharge(ctx, result.objects))).kind).toBe('validation');
    });
  });

  describe('refund', () => {
    async function paidPix(amount = '100.00'): Promise<string> {
      const result = await adapter.createCharge(ctx, chargeInput({ amount: new Big(amount) }));
      await simulator.pay(result.objects[0].id);
      return result.objects[0].id;
    }

    it('refunds partially with {amount} and the caller’s idempotency key, then the rest with an empty body', async () => {
      const id = await paidPix();
      const partial = await adapter.refund(ctx, { gatewayPaymentId: id, amount: new Big('30.25'), idempotencyKey: 'refund-1' });
      expect(partial).toMatchObject({ status: 'succeeded', providerStatus: 'approved', gatewayRefundId: expect.stringMatching(/^\d+$/) });
      expect(partial.amount.toFixed(2)).toBe('30.25');
      const partialRequest = lastRequest('POST', `/v1/payments/${id}/refunds`);
      expect(partialRequest.body).toEqual({ amount: 30.25 });
      expect(partialRequest.headers['x-idempotency-key']).toBe('refund-1');
      expect(await adapter.getPayment(ctx, id)).toMatchObject({ status: 'partially_refunded' });

      const rest = await adapter.refund(ctx, { gatewayPaymentId: id, idempotencyKey: 'refund-2' });
      expect(rest.amount.toFixed(2)).toBe('69.75');
      expect(lastRequest('POST', `/v1/payments/${id}/refunds`).body).toBeNull();
      const state = await adapter.getPayment(ctx, id);
      expect(state).toMatchObject({ status: 'refunded' });
      expect(state.amountRefunded.toFixed(2)).toBe('100.00');
      expect(state.refunds.map((refund) => refund.amount.toFixed(2))).toEqual(['30.25', '69.75']);
    });

    it('returns the same refund when retried with the same key', async () => {
      const id = await paidPix();
      const first = await adapter.refund(ctx, { gatewayPaymentId: id, amount: new Big('10.00'), idempotencyKey: 'refund-same' });
      const again = await adapter.refund(ctx, { gatewayPaymentId: id, amount: new Big('10.00'), idempotencyKey: 'refund-same' });
      expect(again.gatewayRefundId).toBe(first.gatewayRefundId);
      expect((await adapter.getPayment(ctx, id)).amountRefunded.toFixed(2)).toBe('10.00');
    });

    it('maps an over-refund and a refund of an unpaid payment to validation', async () => {
      const id = await paidPix('20.00');
      expect((await expectGatewayError(adapter.refund(ctx, { gatewayPaymentId: id, amount: new Big('20.01'), idempotencyKey: 'r-over' }))).kind).toBe('validation');
      const unpaid = (await adapter.createCharge(ctx, chargeInput())).objects[0].id;
      expect((await expectGatewayError(adapter.refund(ctx, { gatewayPaymentId: unpaid, idempotencyKey: 'r-unpaid' }))).kind).toBe('validation');
    });
  });

  describe('webhooks from the simulator', () => {
    it('sends payment.created on creation and payment.updated on payment, both verifying and parsing', async () => {
      const id = (await adapter.createCharge(ctx, chargeInput())).objects[0].id;
      const createdNotice = await waitFor(() => receiver.forPayment(id, 'payment.created')[0]);
      await simulator.pay(id);
      const updatedNotice = await waitFor(() => receiver.forPayment(id, 'payment.updated')[0]);

      for (const notice of [createdNotice, updatedNotice]) {
        expect(notice.query).toEqual({ 'data.id': id, type: 'payment' });
        expect(notice.headers['x-signature']).toMatch(/^ts=\d+,v1=[0-9a-f]{64}$/);
        expect(notice.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(adapter.verifyWebhook(ctx, notice)).toBe(true);
      }
      const parsed = adapter.parseWebhook(updatedNotice);
      expect(parsed).toMatchObject({ eventType: 'payment.updated', category: 'payment', gatewayPaymentId: id, externalReference: null, payment: null });
      expect(parsed.providerEventId).toMatch(/^\d+$/);
      expect(parsed.providerEventId).not.toBe(adapter.parseWebhook(createdNotice).providerEventId);
      const body = JSON.parse(updatedNotice.rawBody.toString('utf8')) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['action', 'api_version', 'data', 'date_created', 'id', 'live_mode', 'type', 'user_id']);
    });

    it('sends notifications for expiry, refunds and chargebacks', async () => {
      const expired = (await adapter.createCharge(ctx, chargeInput())).objects[0].id;
      await simulator.expire(expired);
      const paid = (await adapter.createCharge(ctx, chargeInput())).objects[0].id;
      await simulator.pay(paid);
      await simulator.refundInPanel(paid, '1.00');
      await simulator.chargeback(paid);
      expect(receiver.forPayment(expired, 'payment.updated')).toHaveLength(1);
      expect(receiver.forPayment(paid, 'payment.updated')).toHaveLength(3);
    });

    it('is not verified with another connection’s secret or a tampered data.id', async () => {
      const id = (await adapter.createCharge(ctx, chargeInput())).objects[0].id;
      await simulator.pay(id);
      const notice = await waitFor(() => receiver.forPayment(id, 'payment.updated')[0]);
      const other = simulator.createAccount();
      expect(adapter.verifyWebhook({ ...ctx, credentials: other.credentials }, notice)).toBe(false);
      expect(adapter.verifyWebhook(ctx, { ...notice, query: { ...notice.query, 'data.id': '1' } })).toBe(false);
      expect(adapter.verifyWebhook(ctx, { ...notice, headers: { ...notice.headers, 'x-signature': undefined } })).toBe(false);
    });

    it('retries a failed delivery with the same notification id and records every attempt', async () => {
      const id = (await adapter.createCharge(ctx, chargeInput())).objects[0].id;
      await waitFor(() => receiver.forPayment(id, 'payment.created')[0]);
      receiver.answerNext(500, 503);
      await simulator.pay(id);
      const attempts = await waitFor(() => {
        const updates = receiver.forPayment(id, 'payment.updated');
        return updates.length === 3 ? updates : undefined;
      });
      expect(new Set(attempts.map((attempt) => adapter.parseWebhook(attempt).providerEventId)).size).toBe(1);
      expect(new Set(attempts.map((attempt) => attempt.headers['x-request-id'])).size).toBe(3);
      expect(attempts.every((attempt) => adapter.verifyWebhook(ctx, attempt))).toBe(true);
      await waitFor(() => simulator.deliveries().filter((delivery) => delivery.url.includes(`data.id=${id}`) && delivery.status !== null).length === 4);
      expect(simulator.deliveries().filter((delivery) => delivery.url.includes(`data.id=${id}`)).map((delivery) => delivery.status)).toEqual([200, 500, 503, 200]);
    });

    it('gives up after a bounded number of attempts and records unreachable targets', async () => {
      const input = chargeInput({ notificationUrl: 'http://127.0.0.1:9/unreachable' });
      const id = (await adapter.createCharge(ctx, input)).objects[0].id;
      await waitFor(() => simulator.deliveries().length === 3);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(simulator.deliveries().map((delivery) => [delivery.url, delivery.status])).toEqual([
        [`http://127.0.0.1:9/unreachable?data.id=${id}&type=payment`, null],
        [`http://127.0.0.1:9/unreachable?data.id=${id}&type=payment`, null],
        [`http://127.0.0.1:9/unreachable?data.id=${id}&type=payment`, null],
      ]);
    });

    it('records but does not send while delivery is disabled', async () => {
      simulator.setWebhookDelivery(false);
      const id = (await adapter.createCharge(ctx, chargeInput())).objects[0].id;
      await simulator.pay(id);
      await waitFor(() => simulator.deliveries().length === 2);
      expect(receiver.received).toHaveLength(0);
      expect(simulator.deliveries().map((delivery) => delivery.status)).toEqual([null, null]);
    });
  });

  describe('parseWebhook', () => {
    const reference = JSON.parse(readFileSync(path.join(REFERENCE, 'examples/webhook-notification-payment.json'), 'utf8')) as {
      headers: Record<string, string>;
      query: Record<string, string>;
      body: unknown;
    };

    it('parses the reference notification as a pointer', () => {
      const parsed = adapter.parseWebhook({ headers: reference.headers, query: reference.query, rawBody: Buffer.from(JSON.stringify(reference.body)) });
      expect(parsed).toEqual({ providerEventId: '12345', eventType: 'payment.created', category: 'payment', gatewayPaymentId: '999999999', externalReference: null, payment: null });
    });

    it('accepts the ?topic=payment&id= form without a body', () => {
      const parsed = adapter.parseWebhook({ headers: { 'x-request-id': 'req-1' }, query: { topic: 'payment', id: '123' }, rawBody: Buffer.alloc(0) });
      expect(parsed).toMatchObject({ providerEventId: 'payment:123:req-1', eventType: 'payment', category: 'payment', gatewayPaymentId: '123' });
    });

    it('accepts the ?type=payment&data.id= form without a body', () => {
      const parsed = adapter.parseWebhook({ headers: { 'x-request-id': 'req-2' }, query: { type: 'payment', 'data.id': '456' }, rawBody: Buffer.alloc(0) });
      expect(parsed).toMatchObject({ providerEventId: 'payment:456:req-2', category: 'payment', gatewayPaymentId: '456' });
    });

    it('accepts a legacy IPN body {resource, topic}', () => {
      const body = { resource: 'https://api.mercadolibre.com/collections/notifications/789', topic: 'payment' };
      const parsed = adapter.parseWebhook({ headers: { 'x-request-id': 'req-3' }, query: { topic: 'payment', id: '789' }, rawBody: Buffer.from(JSON.stringify(body)) });
      expect(parsed).toMatchObject({ providerEventId: 'payment:789:req-3', category: 'payment', gatewayPaymentId: '789' });
    });

    it('classifies other topics without a payment id', () => {
      const body = { id: 77, type: 'topic_chargebacks_wh', action: 'chargeback.created', data: { id: 'cb-1' } };
      expect(adapter.parseWebhook({ headers: {}, query: {}, rawBody: Buffer.from(JSON.stringify(body)) })).toMatchObject({ category: 'chargeback', gatewayPaymentId: null });
      const subscription = { id: 78, type: 'subscription_preapproval', action: 'updated', data: { id: 'sub-1' } };
      expect(adapter.parseWebhook({ headers: {}, query: {}, rawBody: Buffer.from(JSON.stringify(subscription)) })).toMatchObject({ category: 'subscription', gatewayPaymentId: null });
    });

    it('rejects a body that is not JSON', () => {
      expect(() => adapter.parseWebhook({ headers: {}, query: {}, rawBody: Buffer.from('not json') })).toThrow(GatewayError);
    });
  });

  describe('status mapping (enums.json)', () => {
    const enums = JSON.parse(readFileSync(path.join(REFERENCE, 'enums.json'), 'utf8')) as {
      payment_status: string[];
      status_detail_pairs_verified: Array<[string, string]>;
    };
    const expectedByStatus: Record<string, GatewayPaymentStatus> = {
      pending: 'pending',
      approved: 'succeeded',
      authorized: 'processing',
      in_process: 'processing',
      in_mediation: 'chargeback',
      rejected: 'failed',
      cancelled: 'canceled',
      refunded: 'refunded',
      charged_back: 'chargeback',
    };

    it.each(enums.payment_status)('maps status %s', (status) => {
      expect(mapPaymentStatus(status, null)).toBe(expectedByStatus[status]);
    });

    it.each(enums.status_detail_pairs_verified)('maps %s/%s', (status, detail) => {
      const expected = detail === 'partially_refunded' ? 'partially_refunded' : expectedByStatus[status];
      expect(mapPaymentStatus(status, detail)).toBe(expected);
    });

    it.each([
      ['cancelled', 'expired', 'overdue'],
      ['cancelled', 'by_collector', 'canceled'],
      ['cancelled', 'by_payer', 'canceled'],
      ['refunded', 'refunded', 'refunded'],
      ['charged_back', 'settled', 'chargeback'],
      ['charged_back', 'in_process', 'chargeback'],
      ['charged_back', 'reimbursed', 'chargeback_reversed'],
      ['pending', 'pending_challenge', 'pending'],
      ['approved', 'some_future_detail', 'succeeded'],
    ])('maps the documented-but-unverified pair %s/%s to %s', (status, detail, expected) => {
      expect(mapPaymentStatus(status, detail)).toBe(expected);
    });

    it('maps an approved payment with a refund in process to refund_pending', () => {
      expect(mapPaymentStatus('approved', 'accredited', { hasPendingRefund: true })).toBe('refund_pending');
    });

    it('throws unknown_status for an unknown status, never a silent default', () => {
      expect(() => mapPaymentStatus('teleported', 'accredited')).toThrow(expect.objectContaining({ kind: 'unknown_status', retryable: false }));
      expect(() => mapRefundStatus('vanished')).toThrow(expect.objectContaining({ kind: 'unknown_status' }));
    });

    it('maps refund statuses', () => {
      expect(['approved', 'in_process', 'authorized', 'rejected', 'cancelled'].map(mapRefundStatus)).toEqual(['succeeded', 'pending', 'pending', 'failed', 'canceled']);
    });
  });

  describe('error mapping', () => {
    it('maps 500 to unavailable (retryable)', async () => {
      simulator.failNext(1, 500);
      const error = await expectGatewayError(adapter.validateCredentials(ctx));
      expect(error).toMatchObject({ kind: 'unavailable', httpStatus: 500, providerMessage: 'Internal server error', retryable: true });
      await expect(adapter.validateCredentials(ctx)).resolves.toBeDefined();
    });

    it('maps 429 to rate_limited (retryable) and honours the path pattern', async () => {
      simulator.failNext(1, 429, /^\/v1\/payments\/search$/);
      await expect(adapter.validateCredentials(ctx)).resolves.toBeDefined();
      const error = await expectGatewayError(adapter.listPaymentsByReference(ctx, 'chg_x'));
      expect(error).toMatchObject({ kind: 'rate_limited', retryable: true });
    });

    it('maps 403 (policy unauthorized) to validation, not to invalid credentials', async () => {
      simulator.failNext(1, 403);
      const error = await expectGatewayError(adapter.getPayment(ctx, '1'));
      expect(error).toMatchObject({ kind: 'validation', httpStatus: 403, retryable: false });
    });

    it('maps a slow answer to timeout (retryable)', async () => {
      const impatient = new MercadoPagoAdapter({ apiUrl: simulator.baseUrl, timeoutMs: 50 });
      simulator.setLatency(300);
      const error = await expectGatewayError(impatient.validateCredentials(ctx));
      expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    });

    it('maps a refused connection to unavailable (retryable)', async () => {
      const nowhere = new MercadoPagoAdapter({ apiUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
      const error = await expectGatewayError(nowhere.validateCredentials(ctx));
      expect(error).toMatchObject({ kind: 'unavailable', retryable: true });
      expect(error.message).not.toContain(ctx.credentials.accessToken as string);
    });
  });

  describe('control over HTTP (/_sim)', () => {
    it('creates accounts and drives payments for other processes', async () => {
      const { data: account } = await axios.post<{ id: string; credentials: { accessToken: string; webhookSecret: string } }>(`${simulator.baseUrl}/_sim/accounts`, { name: 'Outra Loja' });
      expect(account.credentials.accessToken).toMatch(/^TEST-\d{16}-\d{6}-[0-9a-f]{32}-\d+$/);
      const otherCtx: GatewayContext = { connectionId: 'conn-2', environment: 'sandbox', credentials: account.credentials };
      expect((await adapter.validateCredentials(otherCtx)).externalAccountId).toBe(account.id);

      const id = (await adapter.createCharge(otherCtx, chargeInput())).objects[0].id;
      await axios.post(`${simulator.baseUrl}/_sim/payments/${id}/pay`, { amount: '49.90' });
      expect((await adapter.getPayment(otherCtx, id)).status).toBe('succeeded');
      await axios.post(`${simulator.baseUrl}/_sim/payments/${id}/refund`, { amount: '9.90' });
      expect((await adapter.getPayment(otherCtx, id)).status).toBe('partially_refunded');
      await axios.post(`${simulator.baseUrl}/_sim/payments/${id}/chargeback`);
      expect((await adapter.getPayment(otherCtx, id)).status).toBe('chargeback');

      const listed = await axios.get<Array<{ id: string; status: string; amountRefunded: string }>>(`${simulator.baseUrl}/_sim/payments`);
      expect(listed.data).toEqual([expect.objectContaining({ id, status: 'charged_back', amountRefunded: '9.90', accountId: account.id })]);
    });

    it('expires over HTTP and answers 409 for an impossible transition', async () => {
      const id = (await adapter.createCharge(ctx, chargeInput())).objects[0].id;
      await axios.post(`${simulator.baseUrl}/_sim/payments/${id}/expire`);
      expect((await adapter.getPayment(ctx, id)).status).toBe('overdue');
      const response = await axios.post(`${simulator.baseUrl}/_sim/payments/${id}/pay`, {}, { validateStatus: () => true });
      expect(response.status).toBe(409);
    });
  });

  describe('strict boleto payer address (Mercado Pago rule since 2024)', () => {
    const strict = new MercadoPagoSimulator({ requireBoletoPayerAddress: true, notifyOnCreate: false });

    beforeAll(() => strict.start());
    afterAll(() => strict.stop());

    it('is rejected because the gateway contract carries no payer address yet', async () => {
      const account = strict.createAccount();
      const strictAdapter = new MercadoPagoAdapter({ apiUrl: strict.baseUrl });
      const error = await expectGatewayError(strictAdapter.createCharge({ ...ctx, credentials: account.credentials }, chargeInput({ methods: ['boleto'] })));
      expect(error).toMatchObject({ kind: 'validation', providerMessage: expect.stringContaining('payer.address') });
    });
  });
});
