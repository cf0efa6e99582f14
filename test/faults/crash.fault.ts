import { randomUUID } from 'node:crypto';
import { ApiResponse, chargeBody } from './support/api';
import { sleep } from './support/service-process';
import { Account, ExpectedCharge, FaultWorld, Provider } from './support/world';

/** A client request that can be repeated as is (same Idempotency-Key, same body), as a client does after an error. */
function repeatableCharge(world: FaultWorld, account: Account, options: { description?: string; methods?: string[] } = {}) {
  const key = randomUUID();
  const body = { ...chargeBody({ methods: options.methods }), ...(options.description ? { description: options.description } : {}) };
  return () => world.createCharge(account, { key, body });
}

/** The 60 s leases a dead process held run out (what waiting a minute would do). */
async function expireLeasesOfDeadProcesses(world: FaultWorld): Promise<void> {
  await world.query(`UPDATE charges SET creation_locked_until = now() - interval '1 second' WHERE status = 'pending'`);
  await world.query(`UPDATE idempotency_records SET locked_until = now() - interval '1 second' WHERE state = 'in_progress'`);
}

async function inBatches<T>(count: number, size: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += size) results.push(...(await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, offset) => make(start + offset)))));
  return results;
}

describe('the service killed with SIGKILL during charge creation', () => {
  let world: FaultWorld;
  let asaas: Account;
  let mercadopago: Account;

  beforeAll(async () => {
    world = await FaultWorld.create({ name: 'crash_create' });
    await world.startServices([{ name: 'service' }]);
    asaas = await world.setUpAccount('asaas');
    mercadopago = await world.setUpAccount('mercadopago');
  });

  afterAll(() => world?.close());

  it('recovers every charge in flight with exactly one gateway charge each, whether or not the gateway had acted', async () => {
    // Each request is held at the gateway proxy at a chosen point: after the gateway created the charge (the answer is
    // lost with the process), or before it reached the gateway (the request is lost). A Mercado Pago pix + boleto
    // charge dies between its two gateway payments.
    const plan: Array<{ provider: Provider; description: string; at: 'after-gateway' | 'before-gateway' | 'between-payments' }> = [
      ...[1, 2, 3].map((n) => ({ provider: 'asaas' as const, description: `crash-after-a${n}`, at: 'after-gateway' as const })),
      ...[1, 2, 3].map((n) => ({ provider: 'asaas' as const, description: `crash-before-a${n}`, at: 'before-gateway' as const })),
      { provider: 'mercadopago', description: 'crash-after-m1', at: 'after-gateway' },
      { provider: 'mercadopago', description: 'crash-before-m2', at: 'before-gateway' },
      { provider: 'mercadopago', description: 'crash-between-m3', at: 'between-payments' },
    ];
    for (const entry of plan) {
      const proxy = entry.provider === 'asaas' ? world.asaasProxy : world.mercadopagoProxy;
      const path = entry.provider === 'asaas' ? /^\/v3\/payments$/ : /^\/v1\/payments$/;
      if (entry.at === 'between-payments') proxy.hold({ method: 'POST', path, bodyIncludes: '"payment_method_id":"bolbradesco"', at: 'before-gateway' });
      else proxy.hold({ method: 'POST', path, bodyIncludes: `"${entry.description}"`, at: entry.at });
    }
    const clients = plan.map((entry) =>
      repeatableCharge(world, entry.provider === 'asaas' ? asaas : mercadopago, { description: entry.description, methods: entry.at === 'between-payments' ? ['pix', 'boleto'] : ['pix'] }),
    );
    const inFlight = clients.map((send) => send());
    await world.eventually('every creation is held at the gateway proxy', async () => world.asaasProxy.heldCount() + world.mercadopagoProxy.heldCount() === plan.length, 30_000);

    await world.services[0].kill9();
    const answers: ApiResponse[] = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status).filter((status) => status !== 502 && status !== 0)).toEqual([]);
    const charges = await world.query(`SELECT id, description, status FROM charges WHERE account_id = ANY($1)`, [[asaas.accountId, mercadopago.accountId]]);
    expect(charges).toHaveLength(plan.length);
    expect(charges.every((charge) => charge.status === 'pending')).toBe(true);
    const idOf = (description: string) => charges.find((charge) => charge.description === description)!.id as string;
    const atGatewayBefore = plan.map((entry) => world.gatewayObjects(entry.provider, idOf(entry.description)).length);
    expect(atGatewayBefore).toEqual(plan.map((entry) => (entry.at === 'before-gateway' ? 0 : 1)));

    world.asaasProxy.releaseAll();
    world.mercadopagoProxy.releaseAll();
    await world.services[0].start();

    // While the dead creator's lease runs (60 s), recovery leaves the charges alone: it cannot know the creator is dead.
    await world.runJobNow('charges', 'recover-pending-charges');
    expect((await world.query(`SELECT count(*)::int AS n FROM charges WHERE status = 'pending'`))[0].n).toBe(plan.length);

    await expireLeasesOfDeadProcesses(world);
    await world.runJobNow('charges', 'recover-pending-charges');
    await world.eventually('recovery completed every charge', async () => (await world.query(`SELECT count(*)::int AS n FROM charges WHERE status = 'pending'`))[0].n === 0, 30_000);

    // The clients repeat their requests: the same charges come back, nothing new is created.
    const retries = await Promise.all(clients.map((send) => send()));
    expect(retries.map((retry) => retry.status)).toEqual(plan.map(() => 201));
    expect(retries.map((retry) => retry.body.id)).toEqual(plan.map((entry) => idOf(entry.description)));
    for (const retry of retries) expect(retry.body).toMatchObject({ status: 'awaiting_payment', pix: { copyPaste: expect.any(String), qrCodePng: expect.any(String) } });

    // The pix + boleto charge that died between its two gateway payments keeps its one pix payment (no second one).
    // That its boleto is never created is a known bug, pinned in gateway.fault.ts.
    const multi = retries[plan.findIndex((entry) => entry.at === 'between-payments')].body;
    expect(world.mercadopago.payments().filter((payment) => payment.externalReference === multi.id && payment.method === 'pix')).toHaveLength(1);

    const expected: ExpectedCharge[] = [];
    for (const entry of plan) {
      const id = idOf(entry.description);
      if (entry.at === 'between-payments') {
        expected.push({ id, provider: entry.provider, status: 'awaiting_payment', gatewayObjects: null });
        continue;
      }
      await world.pay(entry.provider, id);
      expected.push({ id, provider: entry.provider, status: 'paid', amountPaid: 100 });
    }
    await world.settle([asaas, mercadopago], 60_000);
    await world.expectConverged({ accounts: [asaas, mercadopago], charges: expected, eventDelivery: 'exactly-once' });
    await world.summary('SIGKILL during charge creation');
  });
});

describe('the worker and the API killed with SIGKILL while webhooks and refunds are in flight', () => {
  let world: FaultWorld;
  let asaas: Account;
  let mercadopago: Account;

  beforeAll(async () => {
    world = await FaultWorld.create({ name: 'crash_hooks' });
    await world.startServices([{ name: 'api', role: 'api' }, { name: 'worker', role: 'worker', behindBalancer: false }]);
    asaas = await world.setUpAccount('asaas');
    mercadopago = await world.setUpAccount('mercadopago');
  });

  afterAll(() => world?.close());

  it('applies every webhook and every refund exactly once after both restart', async () => {
    const refundTargets = await inBatches(4, 4, () => world.chargeOrFail(asaas));
    const asaasCharges = await inBatches(10, 5, () => world.chargeOrFail(asaas));
    const mercadoPagoCharges = await inBatches(10, 5, () => world.chargeOrFail(mercadopago));
    await Promise.all(refundTargets.map((charge) => world.pay('asaas', charge.id)));
    await world.eventually('refund targets paid', async () => (await world.query(`SELECT count(*)::int AS n FROM charges WHERE id = ANY($1) AND status = 'paid'`, [refundTargets.map((charge) => charge.id)]))[0].n === 4, 30_000);

    // Mercado Pago jobs re-read the payment at the gateway: slow answers keep them in flight in the worker.
    world.mercadopago.setLatency(1500);
    // Two refunds die after the gateway refunded (answer lost), two before the gateway saw them (request lost).
    refundTargets.forEach((charge, index) => {
      const paymentId = world.gatewayPaymentId('asaas', charge.id);
      world.asaasProxy.hold({ method: 'POST', path: new RegExp(`^/v3/payments/${paymentId}/refund$`), at: index < 2 ? 'after-gateway' : 'before-gateway' });
    });
    const refundKeys = refundTargets.map(() => randomUUID());
    const refundsInFlight = refundTargets.map((charge, index) => world.refund(asaas, charge.id, 30, refundKeys[index]));
    const payments = [...asaasCharges.map((charge) => world.pay('asaas', charge.id)), ...mercadoPagoCharges.map((charge) => world.pay('mercadopago', charge.id))];

    const webhooks = world.queue('webhooks');
    await world.eventually('webhook jobs in flight in the worker and refunds held at the gateway', async () => {
      const [active, processed] = [await webhooks.getActiveCount(), (await world.query(`SELECT count(*)::int AS n FROM webhook_events WHERE status = 'processed'`))[0].n];
      const held = world.asaasProxy.heldCount();
      return (active >= 2 && processed >= 6 && held === 4) || `active ${active}, processed ${processed}, refunds held ${held}`;
    }, 45_000);
    const [api, worker] = world.services;
    await Promise.all([api.kill9(), worker.kill9()]);
    const activeAtKill = await webhooks.getActiveCount();
    const processedAtKill = (await world.query(`SELECT count(*)::int AS n FROM webhook_events WHERE status = 'processed'`))[0].n;
    expect(activeAtKill).toBeGreaterThanOrEqual(1);
    expect((await Promise.all(refundsInFlight)).map((answer) => answer.status).filter((status) => status !== 502 && status !== 0)).toEqual([]);
    world.asaasProxy.releaseAll();
    world.mercadopago.setLatency(200);
    await sleep(1000);
    await api.start();
    await worker.start();

    // The refunds the gateway made are completed by its webhooks; the two it never saw stay pending (nothing was
    // refunded) until the pending-refunds schedule asks again (after 2 minutes: aged here), with the same key.
    await world.eventually('the refunds the gateway made are counted', async () => {
      const rows = await world.query(`SELECT count(*)::int AS n FROM refunds WHERE charge_id = ANY($1) AND status = 'succeeded'`, [refundTargets.map((charge) => charge.id)]);
      return rows[0].n === 2 || `${rows[0].n} succeeded`;
    }, 150_000);
    const stillPending = await world.query(`SELECT charge_id FROM refunds WHERE status = 'pending'`);
    expect(stillPending.map((row) => row.charge_id).sort()).toEqual(refundTargets.slice(2).map((charge) => charge.id).sort());
    await world.query(`UPDATE refunds SET updated_at = now() - interval '3 minutes' WHERE status = 'pending'`);
    await world.runJobNow('refunds', 'settle-pending-refunds');

    // The admins repeat their refund requests: the same refunds come back, nothing is refunded twice.
    await expireLeasesOfDeadProcesses(world);
    const repeated = await Promise.all(refundTargets.map((charge, index) => world.refund(asaas, charge.id, 30, refundKeys[index])));
    expect(repeated.map((answer) => [answer.status, answer.body.status, answer.body.amount])).toEqual(refundTargets.map(() => [201, 'succeeded', 30]));

    await Promise.allSettled(payments);
    await world.settle([asaas, mercadopago], 150_000);
    await world.expectConverged({
      accounts: [asaas, mercadopago],
      eventDelivery: 'at-least-once',
      charges: [
        ...refundTargets.map((charge) => ({ id: charge.id, provider: 'asaas' as const, status: 'partially_refunded', amountPaid: 100, amountRefunded: 30 })),
        ...asaasCharges.map((charge) => ({ id: charge.id, provider: 'asaas' as const, status: 'paid', amountPaid: 100 })),
        ...mercadoPagoCharges.map((charge) => ({ id: charge.id, provider: 'mercadopago' as const, status: 'paid', amountPaid: 100 })),
      ],
    });
    await world.summary(`SIGKILL of api + worker (${activeAtKill} jobs active, ${processedAtKill} webhooks processed at the kill)`);
  });
});
