import Big from 'big.js';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { PaymentStateApplier } from '../../../src/charges/settlement/payment-state-applier';
import { OverdueProcessor } from '../../../src/charges/overdue/overdue.processor';
import { ReconciliationProcessor } from '../../../src/webhooks/reconciliation/reconciliation.processor';
import { chargeBody, chargeHelpers, connectGateway } from '../../support/charges';
import { ledgerViolations } from '../../support/ledger';
import { startSimulators, Simulators } from '../../support/simulators';
import { bearer, enabledAccount, startReachableApp, startTestApp, TestApp, waitFor } from '../../support/test-app';

describe('gateway webhooks are the source of truth', () => {
  let sims: Simulators;
  let t: TestApp;
  let accountId: string;
  let asaasConnectionId: string;

  beforeAll(async () => {
    sims = await startSimulators();
    t = await startReachableApp(sims.env);
    accountId = await enabledAccount(t);
    asaasConnectionId = await connectGateway(t, sims, accountId, 'asaas');
  });

  afterEach(async () => {
    expect(await ledgerViolations(t)).toEqual([]);
  });

  afterAll(async () => {
    await t.close();
    await sims.stop();
  });

  const { createCharge, readCharge, waitForStatus } = chargeHelpers(() => t, () => accountId);
  const gatewayPaymentId = (charge: { id: string }) => sims.asaas.payments().find((payment) => payment.externalReference === charge.id)!.id;
  const events = async (chargeId: string, type?: string): Promise<Array<{ type: string }>> =>
    t.dataSource.query(`SELECT type FROM outbound_events WHERE (data->'charge'->>'id' = $1 OR data->>'chargeId' = $1) ${type ? 'AND type = $2' : ''} ORDER BY seq`, type ? [chargeId, type] : [chargeId]);
  const inboxCount = async (): Promise<number> => Number((await t.dataSource.query('SELECT count(*) FROM webhook_events'))[0].count);
  const lastDeliveryFor = (paymentId: string) => [...sims.asaas.deliveries()].reverse().find((delivery) => delivery.body.includes(paymentId))!;
  /** The customer pays but the webhook is lost (recorded by the simulator, not delivered). */
  const payWithoutWebhook = async (paymentId: string, amount?: string) => {
    sims.asaas.setWebhookDelivery(false);
    try {
      await sims.asaas.pay(paymentId, { method: 'pix', amount });
    } finally {
      sims.asaas.setWebhookDelivery(true);
    }
  };
  const postAsaas = (body: string, token: string | undefined, connectionId = asaasConnectionId) => {
    const call = request(t.baseUrl).post(`/webhooks/asaas/${connectionId}`).set('Content-Type', 'application/json');
    if (token !== undefined) call.set('asaas-access-token', token);
    return call.send(body);
  };

  it('applies PAYMENT_RECEIVED: the charge becomes paid and charge.paid is written once', async () => {
    const charge = await createCharge();
    await sims.asaas.pay(gatewayPaymentId(charge), { method: 'pix' });
    const paid = await waitForStatus(charge.id, 'paid');
    expect(paid).toMatchObject({ amountPaid: 100, balanceDue: 0, paidAt: expect.any(String) });
    expect(await events(charge.id)).toEqual([{ type: 'charge.awaiting_payment' }, { type: 'charge.paid' }]);
  });

  it('acknowledges a delivery three times but applies it once', async () => {
    const charge = await createCharge();
    await sims.asaas.pay(gatewayPaymentId(charge), { method: 'pix' });
    await waitForStatus(charge.id, 'paid');
    const delivery = lastDeliveryFor(gatewayPaymentId(charge));
    for (let index = 0; index < 3; index += 1) {
      const response = await postAsaas(delivery.body, delivery.headers['asaas-access-token']).expect(200);
      expect(response.body).toEqual({ received: true, duplicate: true });
    }
    expect(await events(charge.id, 'charge.paid')).toHaveLength(1);
  });

  it('applies ten concurrent identical webhooks once', async () => {
    const charge = await createCharge();
    await payWithoutWebhook(gatewayPaymentId(charge));
    const delivery = lastDeliveryFor(gatewayPaymentId(charge));
    const responses = await Promise.all(Array.from({ length: 10 }, () => postAsaas(delivery.body, delivery.headers['asaas-access-token'])));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    expect(responses.filter((response) => !response.body.duplicate)).toHaveLength(1);
    await waitForStatus(charge.id, 'paid');
    expect(await events(charge.id, 'charge.paid')).toHaveLength(1);
    expect((await readCharge(charge.id)).amountPaid).toBe(100);
  });

  it('ignores OVERDUE arriving after RECEIVED, and applies RECEIVED after OVERDUE', async () => {
    const charge = await createCharge();
    await sims.asaas.pay(gatewayPaymentId(charge), { method: 'pix' });
    await waitForStatus(charge.id, 'paid');
    const received = JSON.parse(lastDeliveryFor(gatewayPaymentId(charge)).body);
    const staleOverdue = { ...received, id: `evt_${randomUUID()}`, event: 'PAYMENT_OVERDUE', payment: { ...received.payment, status: 'OVERDUE', paymentDate: null, clientPaymentDate: null } };
    await postAsaas(JSON.stringify(staleOverdue), lastDeliveryFor(gatewayPaymentId(charge)).headers['asaas-access-token']).expect(200);
    await waitFor(() => t.dataSource.query(`SELECT status FROM webhook_events WHERE provider_event_id = $1`, [staleOverdue.id]), (rows) => rows[0]?.status === 'processed');
    expect((await readCharge(charge.id)).status).toBe('paid');
    const payments = await t.dataSource.query(`SELECT status, provider_status FROM payments WHERE charge_id = $1`, [charge.id]);
    expect(payments).toEqual([{ status: 'succeeded', provider_status: 'RECEIVED' }]);

    const late = await createCharge();
    await sims.asaas.expire(gatewayPaymentId(late));
    await waitForStatus(late.id, 'overdue');
    await sims.asaas.pay(gatewayPaymentId(late), { method: 'pix', amount: '100.00' });
    await waitForStatus(late.id, 'paid');
    expect((await events(late.id)).map((event) => event.type)).toEqual(['charge.awaiting_payment', 'charge.overdue', 'charge.paid']);
  });

  it('records a gateway payment it has not seen yet (an early webhook, a Checkout Pro payment) without failing', async () => {
    const charge = await createCharge();
    const connection = (await t.dataSource.query(`SELECT * FROM gateway_connections WHERE id = $1`, [charge.gatewayConnectionId]))[0];
    const state = { gatewayPaymentId: `pay_early_${randomUUID().slice(0, 8)}`, externalReference: charge.id, status: 'pending' as const, providerStatus: 'PENDING', method: 'pix' as const, amount: new Big(100), amountPaid: null, interestAmount: new Big(0), fineAmount: new Big(0), amountRefunded: new Big(0), paidAt: null, dueDate: null, refunds: [], raw: {} };
    const outcome = await t.app.get(PaymentStateApplier).apply({ id: connection.id, accountId: connection.account_id, provider: 'asaas' } as never, state, 'webhook');
    expect(outcome).toMatchObject({ kind: 'applied', chargeId: charge.id });
    const rows = await t.dataSource.query(`SELECT status, amount_received::text, amount_refunded::text FROM payments WHERE gateway_payment_id = $1`, [state.gatewayPaymentId]);
    expect(rows).toEqual([{ status: 'pending', amount_received: '0.00', amount_refunded: '0.00' }]);
  });

  it('answers 401 for a bad or missing token and stores nothing; 404 for an unknown connection', async () => {
    const charge = await createCharge();
    await payWithoutWebhook(gatewayPaymentId(charge));
    const delivery = lastDeliveryFor(gatewayPaymentId(charge));
    const before = await inboxCount();
    await postAsaas(delivery.body, 'wrong-token').expect(401);
    await postAsaas(delivery.body, undefined).expect(401);
    await postAsaas(delivery.body, delivery.headers['asaas-access-token'], randomUUID()).expect(404);
    await postAsaas(delivery.body, delivery.headers['asaas-access-token'], 'not-a-uuid').expect(404);
    expect(await inboxCount()).toBe(before);
    expect((await readCharge(charge.id)).status).toBe('awaiting_payment');
  });

  describe('money rules', () => {
    it('a partial payment leaves the charge partially_paid with the balance updated', async () => {
      const charge = await createCharge();
      await sims.asaas.pay(gatewayPaymentId(charge), { method: 'pix', amount: '40.00' });
      const partial = await waitForStatus(charge.id, 'partially_paid');
      expect(partial).toMatchObject({ amountPaid: 40, balanceDue: 60 });
      expect(await events(charge.id, 'charge.partially_paid')).toHaveLength(1);
    });

    it('an overpayment pays the charge and the surplus becomes customer credit', async () => {
      const charge = await createCharge();
      await sims.asaas.pay(gatewayPaymentId(charge), { method: 'pix', amount: '120.00' });
      const paid = await waitForStatus(charge.id, 'paid');
      expect(paid).toMatchObject({ amountPaid: 100, balanceDue: 0 });
      const credits = await t.dataSource.query(`SELECT kind, amount::text, description FROM customer_credit_entries WHERE charge_id = $1`, [charge.id]);
      expect(credits).toEqual([{ kind: 'overpayment', amount: '20.00', description: `Overpayment credit on charge ${charge.number}` }]);
    });

    it('a payment on an already-paid charge becomes credit in full', async () => {
      const account = await enabledAccount(t);
      await connectGateway(t, sims, account, 'mercadopago');
      const charge = await createCharge({ paymentMethods: ['pix', 'boleto'], customer: { name: 'Ana Lima', cpfCnpj: '24971563792', email: 'ana@example.com', address: { postalCode: '01310100', street: 'Av. Paulista', number: '1', neighborhood: 'Bela Vista', city: 'São Paulo', state: 'SP' } } }, account);
      const [pix, boleto] = ['pix', 'boleto'].map((method) => charge.gatewayObjects ?? method);
      void pix;
      void boleto;
      const mpPayments = sims.mercadopago.payments().filter((payment) => payment.externalReference === charge.id);
      await sims.mercadopago.pay(mpPayments.find((payment) => payment.method === 'pix')!.id);
      await waitForStatus(charge.id, 'paid', account);
      await sims.mercadopago.pay(mpPayments.find((payment) => payment.method !== 'pix')!.id);
      await waitFor(() => t.dataSource.query(`SELECT kind, amount::text FROM customer_credit_entries WHERE charge_id = $1`, [charge.id]), (rows) => rows.length === 1);
      const credits = await t.dataSource.query(`SELECT kind, amount::text FROM customer_credit_entries WHERE charge_id = $1`, [charge.id]);
      expect(credits).toEqual([{ kind: 'already_paid', amount: '100.00' }]);
      expect((await readCharge(charge.id, account)).amountPaid).toBe(100);
      expect(await events(charge.id, 'charge.payment_credited')).toHaveLength(1);
    });

    it('a late payment records interest, not credit', async () => {
      const charge = await createCharge();
      await payWithoutWebhook(gatewayPaymentId(charge));
      const delivery = lastDeliveryFor(gatewayPaymentId(charge));
      const body = JSON.parse(delivery.body);
      const late = { ...body, id: `evt_${randomUUID()}`, payment: { ...body.payment, value: 105.5, originalValue: 100, interestValue: 5.5 } };
      await postAsaas(JSON.stringify(late), delivery.headers['asaas-access-token']).expect(200);
      const paid = await waitForStatus(charge.id, 'paid');
      expect(paid).toMatchObject({ amountPaid: 100, interestReceived: 5.5, balanceDue: 0 });
      expect(await t.dataSource.query(`SELECT 1 FROM customer_credit_entries WHERE charge_id = $1`, [charge.id])).toEqual([]);
    });

    it('mirrors a refund made in the gateway panel', async () => {
      const charge = await createCharge();
      await sims.asaas.pay(gatewayPaymentId(charge), { method: 'pix' });
      await waitForStatus(charge.id, 'paid');
      await sims.asaas.refundInPanel(gatewayPaymentId(charge), '30.00');
      const refunded = await waitForStatus(charge.id, 'partially_refunded');
      expect(refunded.amountRefunded).toBe(30);
      const refunds = await t.dataSource.query(`SELECT amount::text, status, origin FROM refunds WHERE charge_id = $1`, [charge.id]);
      expect(refunds).toEqual([{ amount: '30.00', status: 'succeeded', origin: 'gateway_panel' }]);
      await sims.asaas.refundInPanel(gatewayPaymentId(charge));
      const full = await waitForStatus(charge.id, 'refunded');
      expect(full.amountRefunded).toBe(100);
      expect((await events(charge.id)).map((event) => event.type)).toEqual(['charge.awaiting_payment', 'charge.paid', 'refund.succeeded', 'charge.partially_refunded', 'refund.succeeded', 'charge.refunded']);
    });

    it('mirrors a chargeback', async () => {
      const charge = await createCharge({ paymentMethods: ['card'] });
      await sims.asaas.pay(gatewayPaymentId(charge), { method: 'card' });
      await waitForStatus(charge.id, 'paid');
      await sims.asaas.chargeback(gatewayPaymentId(charge));
      await waitForStatus(charge.id, 'refunded');
      expect(await t.dataSource.query(`SELECT kind, amount::text FROM refunds WHERE charge_id = $1`, [charge.id])).toEqual([{ kind: 'chargeback', amount: '100.00' }]);
    });
  });

  it('applies Mercado Pago notifications by re-fetching the payment', async () => {
    const account = await enabledAccount(t);
    await connectGateway(t, sims, account, 'mercadopago');
    const charge = await createCharge({ paymentMethods: ['pix'] }, account);
    const payment = sims.mercadopago.payments().find((candidate) => candidate.externalReference === charge.id)!;
    await sims.mercadopago.pay(payment.id);
    await waitForStatus(charge.id, 'paid', account);
    expect(sims.mercadopago.requests().some((call) => call.method === 'GET' && call.path === `/v1/payments/${payment.id}`)).toBe(true);
  });

  it('answers 401 for a Mercado Pago notification with a bad signature', async () => {
    const account = await enabledAccount(t);
    const connectionId = await connectGateway(t, sims, account, 'mercadopago');
    const before = await inboxCount();
    await request(t.baseUrl)
      .post(`/webhooks/mercadopago/${connectionId}?data.id=123&type=payment`)
      .set('x-signature', `ts=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`)
      .set('x-request-id', randomUUID())
      .send({ id: 1, type: 'payment', action: 'payment.updated', data: { id: '123' } })
      .expect(401);
    expect(await inboxCount()).toBe(before);
  });

  it('records events about payments this module did not create, and ignores them', async () => {
    const charge = await createCharge();
    await payWithoutWebhook(gatewayPaymentId(charge));
    const delivery = lastDeliveryFor(gatewayPaymentId(charge));
    const body = JSON.parse(delivery.body);
    const foreign = { ...body, id: `evt_${randomUUID()}`, payment: { ...body.payment, id: 'pay_foreign123', externalReference: 'order-from-another-system' } };
    await postAsaas(JSON.stringify(foreign), delivery.headers['asaas-access-token']).expect(200);
    const rows = await waitFor(() => t.dataSource.query(`SELECT status, last_error FROM webhook_events WHERE provider_event_id = $1`, [foreign.id]), (found) => found[0]?.status === 'ignored');
    expect(rows[0].last_error).toBe('payment not created by this module');
    const listed = await t.http.get('/v1/webhook-events?status=ignored').set(bearer('admin', accountId)).expect(200);
    expect(listed.body.data.some((event: { providerEventId: string }) => event.providerEventId === foreign.id)).toBe(true);
    await t.http.get('/v1/webhook-events').set(bearer('agent', accountId)).expect(403);
  });

  it('retries a webhook whose processing failed, and processes it', async () => {
    const charge = await createCharge();
    const applier = t.app.get(PaymentStateApplier);
    const spy = jest.spyOn(applier, 'apply').mockRejectedValueOnce(new Error('database went away'));
    await sims.asaas.pay(gatewayPaymentId(charge), { method: 'pix' });
    await waitForStatus(charge.id, 'paid');
    spy.mockRestore();
    const [row] = await t.dataSource.query(`SELECT status, attempts FROM webhook_events WHERE charge_id = $1 AND event_type = 'PAYMENT_RECEIVED'`, [charge.id]);
    expect(row).toEqual({ status: 'processed', attempts: 2 });
  });

  it('processes a stored webhook after a restart when no worker was running at receipt', async () => {
    // Its own queue prefix, so that only the instances of this test see these jobs.
    const queue = { QUEUE_PREFIX: `restart_${randomUUID().slice(0, 8)}` };
    const apiOnly = await startReachableApp({ ...sims.env, ...queue, PROCESS_ROLE: 'api' });
    const account = await enabledAccount(apiOnly);
    await connectGateway(apiOnly, sims, account, 'asaas');
    const charge = (await apiOnly.http.post('/v1/charges').set(bearer('agent', account)).send(chargeBody()).expect(201)).body;
    await sims.asaas.pay(sims.asaas.payments().find((payment) => payment.externalReference === charge.id)!.id, { method: 'pix' });
    await apiOnly.close();
    const stored = await t.dataSource.query(`SELECT status FROM webhook_events WHERE external_reference = $1 AND event_type = 'PAYMENT_RECEIVED'`, [charge.id]);
    expect(stored).toEqual([{ status: 'received' }]);
    expect((await readCharge(charge.id, account)).status).toBe('awaiting_payment');

    const worker = await startTestApp({ ...sims.env, ...queue, PROCESS_ROLE: 'worker' });
    try {
      await waitForStatus(charge.id, 'paid', account);
    } finally {
      await worker.close();
    }
  });

  it('recovers a missed webhook by reconciliation, on demand and by the repeatable job', async () => {
    const charge = await createCharge();
    const other = await createCharge();
    await payWithoutWebhook(gatewayPaymentId(charge));
    await payWithoutWebhook(gatewayPaymentId(other));
    expect((await readCharge(charge.id)).status).toBe('awaiting_payment');

    await t.http.post(`/v1/charges/${charge.id}/sync`).set(bearer('agent', accountId)).expect(403);
    const synced = await t.http.post(`/v1/charges/${charge.id}/sync`).set(bearer('admin', accountId)).expect(200);
    expect(synced.body.status).toBe('paid');

    await t.dataSource.query(`UPDATE charges SET updated_at = now() - interval '2 hours' WHERE id = $1`, [other.id]);
    await t.app.get(ReconciliationProcessor).reconcileOpenCharges();
    expect((await readCharge(other.id)).status).toBe('paid');
    expect(await events(other.id, 'charge.paid')).toHaveLength(1);
  });

  it('marks Mercado Pago charges overdue after the end of the due date in Sao Paulo', async () => {
    const account = await enabledAccount(t);
    await connectGateway(t, sims, account, 'mercadopago');
    const charge = await createCharge({ paymentMethods: ['pix'] }, account);
    const asaasCharge = await createCharge();
    await t.dataSource.query(`UPDATE charges SET due_date = due_date - 30 WHERE id = ANY($1)`, [[charge.id, asaasCharge.id]]);
    await t.app.get(OverdueProcessor).markOverdueCharges();
    expect((await readCharge(charge.id, account)).status).toBe('overdue');
    expect((await readCharge(asaasCharge.id)).status).toBe('awaiting_payment');
    expect(await events(charge.id, 'charge.overdue')).toHaveLength(1);
  });

  it('keeps working with a second instance: each webhook is applied once', async () => {
    const second = await startTestApp(sims.env);
    try {
      const charges = await Promise.all(Array.from({ length: 5 }, () => createCharge()));
      await Promise.all(charges.map((charge) => sims.asaas.pay(gatewayPaymentId(charge), { method: 'pix' })));
      for (const charge of charges) {
        await waitForStatus(charge.id, 'paid');
        expect(await events(charge.id, 'charge.paid')).toHaveLength(1);
      }
    } finally {
      await second.close();
    }
  });
});
