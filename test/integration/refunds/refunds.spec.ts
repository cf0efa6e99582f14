import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { chargeBody, chargeHelpers, connectGateway, daysFromToday } from '../../support/charges';
import { ledgerViolations, runCheckLedgerScript } from '../../support/ledger';
import { startSimulators, Simulators } from '../../support/simulators';
import { bearer, enabledAccount, startReachableApp, TestApp, waitFor } from '../../support/test-app';

describe('refunds, cancellation, retries and customer credits', () => {
  let sims: Simulators;
  let t: TestApp;
  let accountId: string;

  beforeAll(async () => {
    sims = await startSimulators();
    t = await startReachableApp(sims.env);
    accountId = await enabledAccount(t);
    await connectGateway(t, sims, accountId, 'asaas');
  });

  afterEach(async () => {
    expect(await ledgerViolations(t)).toEqual([]);
  });

  afterAll(async () => {
    await t.close();
    await sims.stop();
  });

  const { createCharge, readCharge, waitForStatus } = chargeHelpers(() => t, () => accountId);
  const gatewayPayment = (chargeId: string) => sims.asaas.payments().find((payment) => payment.externalReference === chargeId)!;
  const refund = (chargeId: string, body: object, role: 'admin' | 'agent' = 'admin', key?: string) => {
    const call = t.http.post(`/v1/charges/${chargeId}/refunds`).set(bearer(role, accountId));
    if (key) call.set('Idempotency-Key', key);
    return call.send(body);
  };
  const paidCharge = async (overrides: Record<string, unknown> = {}) => {
    const charge = await createCharge(overrides);
    await sims.asaas.pay(gatewayPayment(charge.id).id, { method: 'pix' });
    return waitForStatus(charge.id, 'paid');
  };
  const eventTypes = async (chargeId: string): Promise<string[]> =>
    (await t.dataSource.query(`SELECT type FROM outbound_events WHERE data->'charge'->>'id' = $1 ORDER BY seq`, [chargeId])).map((row: { type: string }) => row.type);

  describe('refunds', () => {
    it('lets exactly the concurrent partial refunds that fit succeed, and the gateway agrees', async () => {
      const charge = await paidCharge();
      const responses = await Promise.all(Array.from({ length: 20 }, () => refund(charge.id, { amount: 15, reason: 'parcial' })));
      const accepted = responses.filter((response) => response.status === 201);
      const refused = responses.filter((response) => response.status === 422);
      expect(accepted).toHaveLength(6);
      expect(refused).toHaveLength(14);
      expect(new Set(refused.map((response) => response.body.error.code))).toEqual(new Set(['refund_exceeds_refundable']));
      await waitFor(() => readCharge(charge.id), (current) => current.amountRefunded === 90);
      expect(gatewayPayment(charge.id).amountRefunded).toBe('90.00');
      const refunds = await t.http.get(`/v1/charges/${charge.id}/refunds`).set(bearer('viewer', accountId)).expect(200);
      expect(refunds.body.data.filter((row: { status: string }) => row.status === 'succeeded')).toHaveLength(6);
      expect((await readCharge(charge.id)).status).toBe('partially_refunded');
    });

    it('counts the synchronous answer and the later webhook as one refund', async () => {
      const charge = await paidCharge();
      const response = await refund(charge.id, { amount: 40 }).expect(201);
      expect(response.body).toMatchObject({ amount: 40, status: 'succeeded', origin: 'api', destination: 'gateway' });
      await waitFor(() => t.dataSource.query(`SELECT status FROM webhook_events WHERE charge_id = $1 AND event_type = 'PAYMENT_PARTIALLY_REFUNDED'`, [charge.id]), (rows) => rows[0]?.status === 'processed');
      const current = await readCharge(charge.id);
      expect(current).toMatchObject({ status: 'partially_refunded', amountRefunded: 40 });
      expect(await t.dataSource.query(`SELECT count(*)::int AS count FROM refunds WHERE charge_id = $1`, [charge.id])).toEqual([{ count: 1 }]);
      expect((await eventTypes(charge.id)).filter((type) => type === 'refund.succeeded')).toHaveLength(1);
    });

    it('refunds everything left when no amount is given', async () => {
      const charge = await paidCharge();
      await refund(charge.id, { amount: 25 }).expect(201);
      const rest = await refund(charge.id, {}).expect(201);
      expect(rest.body.amount).toBe(75);
      const current = await waitForStatus(charge.id, 'refunded');
      expect(current.amountRefunded).toBe(100);
      expect((await refund(charge.id, {}).expect(409)).body.error.code).toBe('charge_not_refundable');
    });

    it('replays a refund for the same Idempotency-Key without refunding twice', async () => {
      const charge = await paidCharge();
      const key = randomUUID();
      const first = await refund(charge.id, { amount: 10 }, 'admin', key).expect(201);
      const second = await refund(charge.id, { amount: 10 }, 'admin', key).expect(201);
      expect(second.body.id).toBe(first.body.id);
      expect(gatewayPayment(charge.id).amountRefunded).toBe('10.00');
    });

    it('refunds to customer credit without touching the gateway', async () => {
      const charge = await paidCharge();
      const response = await refund(charge.id, { amount: 30, destination: 'credit', reason: 'vale-compra' }).expect(201);
      expect(response.body).toMatchObject({ status: 'succeeded', destination: 'credit', amount: 30 });
      expect(gatewayPayment(charge.id).amountRefunded).toBe('0.00');
      const credits = await t.http.get(`/v1/customers/${charge.customerId}/credits`).set(bearer('viewer', accountId)).expect(200);
      expect(credits.body.entries[0]).toMatchObject({ kind: 'refund_to_credit', amount: 30, chargeId: charge.id });
      expect((await readCharge(charge.id)).status).toBe('partially_refunded');
    });

    it('is for admins unless the account lets agents refund', async () => {
      const charge = await paidCharge();
      expect((await refund(charge.id, { amount: 1 }, 'agent').expect(403)).body.error.code).toBe('forbidden_role');
      await t.http.patch('/v1/account/settings').set(bearer('admin', accountId)).send({ agentsMayRefund: true }).expect(200);
      await refund(charge.id, { amount: 1 }, 'agent').expect(201);
      await t.http.patch('/v1/account/settings').set(bearer('admin', accountId)).send({ agentsMayRefund: false }).expect(200);
      await t.http.post(`/v1/charges/${charge.id}/refunds`).set(bearer('viewer', accountId)).send({ amount: 1 }).expect(403);
    });

    it('refuses bad amounts and unpaid charges, changing nothing', async () => {
      const charge = await paidCharge();
      expect((await refund(charge.id, { amount: 100.01 }).expect(422)).body.error.code).toBe('refund_exceeds_refundable');
      expect((await refund(charge.id, { amount: 0.001 }).expect(422)).body.error.code).toBe('invalid_amount');
      expect((await refund(charge.id, { amount: -1 }).expect(422)).body.error.code).toBe('invalid_amount');
      const unpaid = await createCharge();
      expect((await refund(unpaid.id, {}).expect(409)).body.error.code).toBe('charge_not_refundable');
      const stranger = await enabledAccount(t);
      await t.http.post(`/v1/charges/${charge.id}/refunds`).set(bearer('admin', stranger)).send({}).expect(404);
      expect((await readCharge(charge.id)).amountRefunded).toBe(0);
    });
  });

  describe('cancel', () => {
    it('cancels an unpaid charge at the gateway and here', async () => {
      const charge = await createCharge();
      const response = await t.http.post(`/v1/charges/${charge.id}/cancel`).set(bearer('agent', accountId)).expect(200);
      expect(response.body).toMatchObject({ status: 'canceled', canceledAt: expect.any(String), balanceDue: 0 });
      expect(sims.asaas.requests().some((call) => call.method === 'DELETE' && call.path.endsWith(`/payments/${gatewayPayment(charge.id).id}`))).toBe(true);
      expect(await eventTypes(charge.id)).toEqual(['charge.awaiting_payment', 'charge.canceled']);
    });

    it('refuses to cancel once something was paid', async () => {
      const charge = await paidCharge();
      expect((await t.http.post(`/v1/charges/${charge.id}/cancel`).set(bearer('agent', accountId)).expect(409)).body.error.code).toBe('charge_not_cancelable');
    });

    it('turns a payment that races in after cancellation into customer credit, flagged in an event', async () => {
      const template = await createCharge();
      sims.asaas.setWebhookDelivery(false);
      await sims.asaas.pay(gatewayPayment(template.id).id, { method: 'pix' }).finally(() => sims.asaas.setWebhookDelivery(true));
      const delivery = [...sims.asaas.deliveries()].reverse().find((candidate) => candidate.body.includes(gatewayPayment(template.id).id))!;

      const charge = await createCharge();
      await t.http.post(`/v1/charges/${charge.id}/cancel`).set(bearer('agent', accountId)).expect(200);
      const body = JSON.parse(delivery.body);
      const late = { ...body, id: `evt_${randomUUID()}`, payment: { ...body.payment, id: gatewayPayment(charge.id).id, externalReference: charge.id } };
      await request(t.baseUrl).post(`/webhooks/asaas/${charge.gatewayConnectionId}`).set('asaas-access-token', delivery.headers['asaas-access-token']).set('Content-Type', 'application/json').send(JSON.stringify(late)).expect(200);

      await waitFor(() => t.dataSource.query(`SELECT kind, amount::text FROM customer_credit_entries WHERE charge_id = $1`, [charge.id]), (rows) => rows.length === 1);
      expect((await readCharge(charge.id)).status).toBe('canceled');
      const flagged = await t.dataSource.query(`SELECT data FROM outbound_events WHERE type = 'charge.payment_credited' AND data->>'chargeId' = $1`, [charge.id]);
      expect(flagged[0].data).toMatchObject({ chargeStatus: 'canceled', amount: '100.00' });
    });
  });

  describe('retry', () => {
    it('opens a new payment attempt with a new PIX code for an expired charge', async () => {
      const charge = await createCharge();
      await sims.asaas.expire(gatewayPayment(charge.id).id);
      await waitForStatus(charge.id, 'overdue');
      const retried = await t.http.post(`/v1/charges/${charge.id}/retry`).set(bearer('agent', accountId)).send({}).expect(200);
      expect(retried.body.status).toBe('awaiting_payment');
      expect(retried.body.pix.copyPaste).not.toBe(charge.pix.copyPaste);
      expect(retried.body.dueDate).toBe(daysFromToday(3));
      const attempt = sims.asaas.payments().find((payment) => payment.externalReference === `${charge.id}:retry:1`)!;
      expect(attempt.value).toBe('100.00');
      await sims.asaas.pay(attempt.id, { method: 'pix' });
      await waitForStatus(charge.id, 'paid');
      expect(await eventTypes(charge.id)).toEqual(['charge.awaiting_payment', 'charge.overdue', 'charge.awaiting_payment', 'charge.paid']);
    });

    it('refuses to retry a charge whose payment did not fail or expire', async () => {
      const charge = await createCharge();
      expect((await t.http.post(`/v1/charges/${charge.id}/retry`).set(bearer('agent', accountId)).send({}).expect(409)).body.error.code).toBe('charge_not_retryable');
    });
  });

  describe('customer credits', () => {
    it('applies credit automatically to the next charge, and pays a fully covered one without the gateway', async () => {
      const first = await paidCharge({ customer: { name: 'Joana Dias', cpfCnpj: '52998224725' } });
      await t.http.post(`/v1/customers/${first.customerId}/credits`).set(bearer('admin', accountId)).send({ amount: 130, reason: 'crédito de fidelidade' }).expect(201);

      const partlyCovered = await createCharge({ customerId: first.customerId, customer: undefined, items: [{ description: 'Sessão', quantity: 1, unitPrice: 100 }] });
      expect(partlyCovered).toMatchObject({ creditApplied: 100, total: 100, balanceDue: 0, status: 'paid' });
      expect(sims.asaas.payments().filter((payment) => payment.externalReference === partlyCovered.id)).toHaveLength(0);

      const rest = await createCharge({ customerId: first.customerId, customer: undefined, items: [{ description: 'Sessão', quantity: 1, unitPrice: 50 }] });
      expect(rest).toMatchObject({ creditApplied: 30, total: 50, balanceDue: 20, status: 'awaiting_payment' });
      expect(gatewayPayment(rest.id).value).toBe('20.00');

      const credits = await t.http.get(`/v1/customers/${first.customerId}/credits`).set(bearer('viewer', accountId)).expect(200);
      expect(credits.body).toMatchObject({ customerId: first.customerId, currency: 'BRL', balance: 0 });
      expect(credits.body.entries.map((entry: { kind: string; amount: number }) => [entry.kind, entry.amount])).toEqual([
        ['applied_to_charge', -30],
        ['applied_to_charge', -100],
        ['manual_adjustment', 130],
      ]);
    });

    it('never lets the balance go negative, and keeps customers per account', async () => {
      const charge = await createCharge({ customer: { name: 'Rui Costa', cpfCnpj: '39053344705' } });
      const response = await t.http.post(`/v1/customers/${charge.customerId}/credits`).set(bearer('admin', accountId)).send({ amount: -5, reason: 'ajuste' }).expect(422);
      expect(response.body.error.code).toBe('insufficient_credit');
      await t.http.post(`/v1/customers/${charge.customerId}/credits`).set(bearer('agent', accountId)).send({ amount: 5, reason: 'x' }).expect(403);
      const stranger = await enabledAccount(t);
      await t.http.get(`/v1/customers/${charge.customerId}/credits`).set(bearer('admin', stranger)).expect(404);
    });

    it('applies credit once when two charges for the same customer are created concurrently', async () => {
      const charge = await paidCharge({ customer: { name: 'Lia Prado', cpfCnpj: '86288366757' } });
      await t.http.post(`/v1/customers/${charge.customerId}/credits`).set(bearer('admin', accountId)).send({ amount: 60, reason: 'crédito' }).expect(201);
      const created = await Promise.all(Array.from({ length: 4 }, () => createCharge({ customerId: charge.customerId, customer: undefined })));
      const applied = created.reduce((total, current) => total + current.creditApplied, 0);
      expect(applied).toBe(60);
    });
  });

  it('npm run check:ledger reports a clean ledger', () => {
    const result = runCheckLedgerScript();
    expect(result.output).toContain('ledger clean');
    expect(result.status).toBe(0);
  });
});
