import { randomUUID } from 'node:crypto';
import { chargeBody, connectGateway, daysFromToday } from '../../support/charges';
import { PlatformReceiver } from '../../support/platform-receiver';
import { startSimulators, Simulators } from '../../support/simulators';
import { bearer, enabledAccount, startTestApp, TestApp } from '../../support/test-app';

describe('sending a charge into the conversation', () => {
  let sims: Simulators;
  let platform: PlatformReceiver;
  let t: TestApp;
  let accountId: string;

  beforeAll(async () => {
    sims = await startSimulators();
    platform = new PlatformReceiver();
    await platform.start();
    t = await startTestApp({ ...sims.env, CONVERSATION_API_URL: platform.url, CONVERSATION_API_TOKEN: 'platform-token-123' });
    accountId = await enabledAccount(t);
    await connectGateway(t, sims, accountId);
  });

  beforeEach(() => platform.reset());

  afterAll(async () => {
    await t.close();
    await platform.stop();
    await sims.stop();
  });

  const createCharge = (overrides: Record<string, unknown> = {}) =>
    t.http
      .post('/v1/charges')
      .set(bearer('agent', accountId))
      .send(chargeBody({ items: [{ description: 'Pedido', quantity: 1, unitPrice: 175.9 }], dueDate: '2026-11-30', paymentMethods: ['pix', 'boleto', 'card'], conversationId: 'conv-1', ...overrides }))
      .expect(201);

  it('posts the pt-BR message with amount, due date, PIX code, boleto line, QR image and checkout button', async () => {
    const charge = await createCharge();
    const response = await t.http.post(`/v1/charges/${charge.body.id}/send`).set(bearer('agent', accountId)).send({ conversationId: 'conv-42' }).expect(200);
    expect(response.body).toMatchObject({ chargeId: charge.body.id, conversationId: 'conv-42', status: 'sent', platformMessageId: 'msg_1' });

    expect(platform.received).toHaveLength(1);
    const [request] = platform.received;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/conversations/conv-42/messages');
    expect(request.headers.authorization).toBe('Bearer platform-token-123');
    const { text, attachments, buttons, metadata } = request.body;
    expect(text).toContain('Olá, Maria!');
    expect(text).toContain('R$ 175,90');
    expect(text).toContain('vence em 30/11/2026');
    expect(text).toContain(charge.body.pix.copyPaste);
    expect(text).toContain(charge.body.boleto.digitableLine);
    expect(attachments).toEqual([{ type: 'image', mimeType: 'image/png', base64: charge.body.pix.qrCodePng }]);
    expect(buttons).toEqual([{ label: 'Pagar agora', url: charge.body.checkoutUrl }]);
    expect(metadata).toEqual({ chargeId: charge.body.id });
  });

  it('defaults to the conversation the charge was created in and describes installments', async () => {
    const charge = await createCharge({ items: [{ description: 'Curso', quantity: 1, unitPrice: 350 }], paymentMethods: ['card'], installments: 12, dueDate: daysFromToday(3) });
    await t.http.post(`/v1/charges/${charge.body.id}/send`).set(bearer('agent', accountId)).send({}).expect(200);
    expect(platform.received[0].path).toBe('/conversations/conv-1/messages');
    expect(platform.received[0].body.text).toContain('Parcelado em 11x de R$ 29,16 + 1x de R$ 29,24.');
    expect(platform.received[0].body.attachments).toEqual([]);
  });

  it('reports a platform error as 502 conversation_delivery_failed, having posted once', async () => {
    const charge = await createCharge();
    platform.respondWith(500);
    const response = await t.http.post(`/v1/charges/${charge.body.id}/send`).set(bearer('agent', accountId)).send({}).expect(502);
    expect(response.body.error.code).toBe('conversation_delivery_failed');
    expect(platform.received).toHaveLength(1);
    const log = await t.dataSource.query('SELECT status FROM charge_messages WHERE charge_id = $1', [charge.body.id]);
    expect(log).toEqual([{ status: 'failed' }]);
  });

  it('posts once for a repeated send request with the same Idempotency-Key', async () => {
    const charge = await createCharge();
    const key = randomUUID();
    const first = await t.http.post(`/v1/charges/${charge.body.id}/send`).set(bearer('agent', accountId)).set('Idempotency-Key', key).send({}).expect(200);
    const second = await t.http.post(`/v1/charges/${charge.body.id}/send`).set(bearer('agent', accountId)).set('Idempotency-Key', key).send({}).expect(200);
    expect(second.body).toEqual(first.body);
    expect(platform.received).toHaveLength(1);
    expect(platform.received[0].headers['idempotency-key']).toBe(first.body.messageId);
  });

  it("answers 404 for another account's charge and 403 for a viewer", async () => {
    const charge = await createCharge();
    const stranger = await enabledAccount(t);
    await t.http.post(`/v1/charges/${charge.body.id}/send`).set(bearer('agent', stranger)).send({}).expect(404);
    await t.http.post(`/v1/charges/${charge.body.id}/send`).set(bearer('viewer', accountId)).send({}).expect(403);
    expect(platform.received).toHaveLength(0);
  });

  it('refuses clearly when the messaging API is not configured', async () => {
    const unconfigured = await startTestApp(sims.env);
    try {
      const charge = await createCharge();
      const response = await unconfigured.http.post(`/v1/charges/${charge.body.id}/send`).set(bearer('agent', accountId)).send({}).expect(503);
      expect(response.body.error.code).toBe('conversation_api_not_configured');
    } finally {
      await unconfigured.close();
    }
  });
});
