import { isValidBoleto } from '@brazilian-utils/brazilian-utils';
import Big from 'big.js';
import { randomUUID } from 'node:crypto';
import { hasError, parsePix } from 'pix-utils';
import { AsaasAdapter } from '../../../src/gateways/asaas/asaas.adapter';
import { CreateGatewayChargeInput, GatewayContext, GatewayError, PaymentGateway, PaymentMethod } from '../../../src/gateways/contract/payment-gateway';
import { MercadoPagoAdapter } from '../../../src/gateways/mercadopago/mercadopago.adapter';
import { AsaasSimulator } from '../../simulators/asaas/asaas-simulator';
import { GatewaySimulator } from '../../simulators/gateway-simulator';
import { MercadoPagoSimulator } from '../../simulators/mercadopago/mercadopago-simulator';
import { WebhookReceiver } from '../../support/webhook-receiver';

interface Harness {
  name: string;
  simulator: () => GatewaySimulator;
  adapter: (baseUrl: string) => PaymentGateway;
}

const harnesses: Harness[] = [
  {
    name: 'Asaas',
    simulator: () => new AsaasSimulator(),
    adapter: (baseUrl) => new AsaasAdapter({ sandboxUrl: baseUrl, productionUrl: baseUrl, userAgent: 'contract-test', timeoutMs: 2000 }),
  },
  {
    name: 'Mercado Pago',
    simulator: () => new MercadoPagoSimulator(),
    adapter: (baseUrl) => new MercadoPagoAdapter({ apiUrl: baseUrl, timeoutMs: 2000 }),
  },
];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

describe.each(harnesses)('PaymentGateway contract: $name', (harness) => {
  let simulator: GatewaySimulator;
  let adapter: PaymentGateway;
  let receiver: WebhookReceiver;
  let ctx: GatewayContext;

  beforeAll(async () => {
    simulator = harness.simulator();
    await simulator.start();
    receiver = new WebhookReceiver();
    await receiver.start();
    adapter = harness.adapter(simulator.baseUrl);
  });

  afterAll(async () => {
    await simulator.stop();
    await receiver.stop();
  });

  beforeEach(async () => {
    const account = simulator.createAccount({ name: 'Contract Test Store' });
    ctx = { connectionId: randomUUID(), environment: 'sandbox', credentials: { ...account.credentials } };
    if (adapter.capabilities.registersWebhookByApi) {
      ctx.credentials.webhookAuthToken = `tok_${randomUUID()}`;
      await adapter.registerWebhook(ctx, { url: `${receiver.url}/webhooks/${ctx.connectionId}`, authToken: ctx.credentials.webhookAuthToken });
    }
  });

  async function createCharge(methods: PaymentMethod[], amount = '175.90', overrides: Partial<CreateGatewayChargeInput> = {}) {
    const reference = randomUUID();
    const customer = { name: 'Maria Souza', cpfCnpj: '24971563792', email: 'maria@example.com', phone: '47998781877', externalReference: randomUUID() };
    const gatewayCustomerId = await adapter.ensureCustomer(ctx, customer);
    const result = await adapter.createCharge(ctx, {
      reference,
      idempotencyKey: `charge-${reference}`,
      gatewayCustomerId,
      customer,
      amount: new Big(amount),
      dueDate: '2026-12-30',
      methods,
      installments: 1,
      description: 'Pedido 123',
      notificationUrl: `${receiver.url}/webhooks/${ctx.connectionId}`,
      ...overrides,
    });
    return { reference, result };
  }

  function payableId(result: Awaited<ReturnType<typeof createCharge>>['result'], method?: PaymentMethod): string {
    const object = result.objects.find((candidate) => candidate.kind === 'payment' && (!method || candidate.method === method || candidate.method === 'undefined'));
    if (!object) throw new Error(`no payable object for ${method}`);
    return object.id;
  }

  it('declares its capabilities', () => {
    expect(adapter.capabilities.paymentMethods).toEqual(expect.arrayContaining(['pix', 'boleto', 'card']));
    expect(adapter.capabilities.partialRefund).toBe(true);
    expect(adapter.capabilities.maxInstallments.card).toBeGreaterThanOrEqual(12);
  });

  it('validates good credentials and refuses bad ones with the gateway reason', async () => {
    await expect(adapter.validateCredentials(ctx)).resolves.toBeDefined();
    const bad: GatewayContext = { ...ctx, credentials: { apiKey: '$aact_hmlg_bad', accessToken: 'APP_USR-bad', webhookSecret: 'x' } };
    const error = await adapter.validateCredentials(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ kind: 'invalid_credentials', provider: adapter.provider });
    expect((error as GatewayError).providerMessage.length).toBeGreaterThan(0);
    expect((error as GatewayError).message).not.toContain('bad');
  });

  it('creates a PIX charge with a valid BR Code, a PNG QR and an expiry', async () => {
    const { result } = await createCharge(['pix']);
    expect(result.pix).not.toBeNull();
    const pix = parsePix(result.pix!.copyPaste);
    expect(hasError(pix)).toBe(false);
    if (result.pix!.qrCodePng) expect(Buffer.from(result.pix!.qrCodePng, 'base64').subarray(0, 4)).toEqual(PNG_SIGNATURE);
    expect(result.pix!.expiresAt).toEqual(expect.any(String));
  });

  it('creates a boleto with a valid digitable line and barcode', async () => {
    const { result } = await createCharge(['boleto']);
    expect(result.boleto?.digitableLine).toMatch(/^\d{47}$/);
    expect(isValidBoleto(result.boleto!.digitableLine!)).toBe(true);
    expect(result.boleto?.barcode).toMatch(/^\d{44}$/);
    expect(result.boleto?.url).toMatch(/^https?:\/\//);
  });

  it('creates a hosted card checkout', async () => {
    const { result } = await createCharge(['card']);
    expect(result.checkoutUrl).toMatch(/^https?:\/\//);
  });

  it('finds a charge by reference for crash recovery, and nothing for an unknown one', async () => {
    const { reference, result } = await createCharge(['pix', 'boleto']);
    const found = await adapter.findChargeByReference(ctx, reference);
    expect(found?.objects.map((object) => object.id).sort()).toEqual(result.objects.map((object) => object.id).sort());
    await expect(adapter.findChargeByReference(ctx, randomUUID())).resolves.toBeNull();
  });

  it('reads a payment as paid after the customer pays, and as partially paid for less', async () => {
    const { result } = await createCharge(['pix'], '100.00');
    const id = payableId(result, 'pix');
    expect((await adapter.getPayment(ctx, id)).status).toBe('pending');
    await simulator.pay(id, { amount: '40.00', method: 'pix' });
    const paid = await adapter.getPayment(ctx, id);
    expect(paid.status).toBe('succeeded');
    expect(paid.amount.toFixed(2)).toBe('100.00');
    expect(paid.amountPaid?.toFixed(2)).toBe('40.00');
  });

  it('reads an unpaid payment past its due date as overdue or canceled', async () => {
    const { result } = await createCharge(['boleto']);
    const id = payableId(result, 'boleto');
    await simulator.expire(id);
    expect(['overdue', 'canceled']).toContain((await adapter.getPayment(ctx, id)).status);
  });

  it('cancels a charge', async () => {
    const { reference, result } = await createCharge(['pix']);
    await adapter.cancelCharge(ctx, result.objects);
    const remaining = await adapter.listPaymentsByReference(ctx, reference);
    expect(remaining.every((payment) => payment.status === 'canceled')).toBe(true);
  });

  it('refunds partially and then fully', async () => {
    const { result } = await createCharge(['pix'], '100.00');
    const id = payableId(result, 'pix');
    await simulator.pay(id, { method: 'pix' });
    const partial = await adapter.refund(ctx, { gatewayPaymentId: id, amount: new Big('30.00'), idempotencyKey: randomUUID(), description: 'partial' });
    expect(partial.amount.toFixed(2)).toBe('30.00');
    expect(['pending', 'succeeded']).toContain(partial.status);
    expect((await adapter.getPayment(ctx, id)).amountRefunded.toFixed(2)).toBe('30.00');
    await adapter.refund(ctx, { gatewayPaymentId: id, idempotencyKey: randomUUID() });
    const refunded = await adapter.getPayment(ctx, id);
    expect(refunded.status).toBe('refunded');
    expect(refunded.amountRefunded.toFixed(2)).toBe('100.00');
  });

  it("delivers authentic webhooks that verify, parse to the payment, and fail verification when tampered", async () => {
    const { reference, result } = await createCharge(['pix']);
    const id = payableId(result, 'pix');
    await simulator.pay(id, { method: 'pix' });
    const delivery = await receiver.waitFor((webhook) => webhook.path === `/webhooks/${ctx.connectionId}` && webhook.rawBody.toString().includes(id));
    expect(adapter.verifyWebhook(ctx, delivery)).toBe(true);
    const event = adapter.parseWebhook(delivery);
    expect(event.gatewayPaymentId).toBe(id);
    expect(event.providerEventId).toEqual(expect.any(String));
    if (event.payment) expect(event.payment.externalReference).toBe(reference);

    const wrongSecret: GatewayContext = { ...ctx, credentials: { ...ctx.credentials, webhookAuthToken: 'nope', webhookSecret: 'nope' } };
    expect(adapter.verifyWebhook(wrongSecret, delivery)).toBe(false);
    const noHeaders = { ...delivery, headers: {} };
    expect(adapter.verifyWebhook(ctx, noHeaders)).toBe(false);
  });

  it('turns a gateway 500 into a retryable unavailable error', async () => {
    simulator.failNext(1, 500);
    const error = await adapter.validateCredentials(ctx).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('turns slowness beyond the timeout into a retryable timeout error', async () => {
    simulator.setLatency(2500);
    try {
      const error = await adapter.validateCredentials(ctx).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    } finally {
      simulator.setLatency(0);
    }
  });
});
