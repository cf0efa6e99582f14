import { randomUUID } from 'node:crypto';
import { chargeBody } from './support/api';
import { ServiceProcess } from './support/service-process';
import { Account, ExpectedCharge, FaultWorld, Provider } from './support/world';

const ALL_SCHEDULES = [
  'charges:mark-overdue-charges',
  'charges:recover-pending-charges',
  'maintenance:purge-idempotency-records',
  'outbound:dispatch-outbound-events',
  'refunds:settle-pending-refunds',
  'reminders:schedule-missing-reminders',
  'webhooks:reconcile-open-charges',
  'webhooks:requeue-stalled-webhooks',
];

/**
 * Two identical instances on one PostgreSQL and one Redis (same Bull prefix) behind a round-robin balancer, started
 * at the same moment on a fresh database: schedules are registered and run once, not once per instance; the same
 * webhook delivered to both is applied once; every outbound event reaches the platform once.
 */
describe('two service instances sharing PostgreSQL and Redis', () => {
  let world: FaultWorld;
  let instances: ServiceProcess[];
  let asaas: Account;
  let mercadopago: Account;
  const expected: ExpectedCharge[] = [];

  beforeAll(async () => {
    world = await FaultWorld.create({ name: 'scale_out' });
    instances = await world.startServices([{ name: 'instance-a' }, { name: 'instance-b' }], { together: true });
    asaas = await world.setUpAccount('asaas');
    mercadopago = await world.setUpAccount('mercadopago');
  });

  afterAll(() => world?.close());

  it('registers every schedule once', async () => {
    const schedules: string[] = [];
    for (const queue of new Set(ALL_SCHEDULES.map((schedule) => schedule.split(':')[0]))) {
      schedules.push(...(await world.queue(queue).getRepeatableJobs()).map((job) => `${queue}:${job.name}`));
    }
    expect(schedules.sort()).toEqual(ALL_SCHEDULES);
  });

  it('applies each webhook once, even when the gateway delivers it to both instances', async () => {
    const charges: Array<{ id: string; provider: Provider }> = [];
    for (let index = 0; index < 16; index += 1) {
      const account = index % 4 === 3 ? mercadopago : asaas;
      charges.push({ id: (await world.chargeOrFail(account)).id, provider: account.provider });
    }
    await Promise.all(charges.map((charge) => world.pay(charge.provider, charge.id)));
    // Gateways retry and load balancers spread retries: every notification again, to both instances at once.
    const deliveries = [...world.asaas.deliveries(), ...world.mercadopago.deliveries()].filter((delivery) => delivery.status === 200);
    const answers = await Promise.all(
      deliveries.flatMap((delivery) =>
        instances.map(async (instance) => {
          const target = new URL(delivery.url);
          const response = await fetch(`${instance.url}${target.pathname}${target.search}`, { method: 'POST', headers: delivery.headers, body: delivery.body });
          return { status: response.status, body: (await response.json()) as { duplicate?: boolean } };
        }),
      ),
    );
    expect(answers.filter((answer) => answer.status !== 200 || answer.body.duplicate !== true)).toEqual([]);
    expect(answers.length).toBeGreaterThanOrEqual(2 * 16);
    await world.eventually('every charge paid', async () => {
      const rows = await world.query(`SELECT count(*)::int AS n FROM charges WHERE id = ANY($1) AND status = 'paid'`, [charges.map((charge) => charge.id)]);
      return rows[0].n === charges.length || `${rows[0].n} paid`;
    }, 60_000);
    expected.push(...charges.map((charge) => ({ ...charge, status: 'paid', amountPaid: 100 })));
  });

  it('runs each period of a schedule once across both instances', async () => {
    // The outbox dispatch runs every 2 s: over 20 s, one job per period, not one per instance.
    const outbound = world.queue('outbound');
    const windowStart = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const windowEnd = Date.now() - 2_000;
    const runs = (await outbound.getCompleted(0, 200))
      .filter((job) => job.name === 'dispatch-outbound-events' && job.opts.repeat)
      .map((job) => Number(String(job.id).split(':').pop()))
      .filter((scheduledAt) => scheduledAt >= windowStart && scheduledAt <= windowEnd)
      .sort((a, b) => a - b);
    const gaps = runs.slice(1).map((scheduledAt, index) => scheduledAt - runs[index]);
    expect(runs.length).toBeGreaterThanOrEqual(5);
    // Two runs in one period would show as a gap of 0; a period skipped under load (a job picked up late) as 4000.
    expect(gaps.filter((gap) => gap < 2000 || gap % 2000 !== 0)).toEqual([]);
  });

  it('completes charges left pending once, through the recovery schedule of either instance', async () => {
    // The gateway refuses the create (503): the charges stay pending and nobody retries them.
    world.asaasProxy.hold({ method: 'POST', path: /^\/v3\/payments$/, at: 'refuse', answerStatus: 503, count: 4 });
    const pending: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const response = await world.createCharge(asaas, { key: randomUUID(), body: chargeBody() });
      expect(response.status).toBe(502);
      pending.push(response.body.error.details.find((detail: { field: string }) => detail.field === 'chargeId').message);
    }
    await world.eventually('the recovery schedule (every 30 s) completes them', async () => {
      const rows = await world.query(`SELECT count(*)::int AS n FROM charges WHERE id = ANY($1) AND status = 'awaiting_payment'`, [pending]);
      return rows[0].n === pending.length || `${rows[0].n} completed`;
    }, 45_000);
    expected.push(...pending.map((id) => ({ id, provider: 'asaas' as const, status: 'awaiting_payment' })));
  });

  it('delivers every outbound event once, and the ledger is clean', async () => {
    expect(instances.every((instance) => instance.isRunning)).toBe(true);
    await world.settle([asaas, mercadopago], 60_000);
    await world.expectConverged({ accounts: [asaas, mercadopago], charges: expected, eventDelivery: 'exactly-once' });
    await world.summary('two instances');
  });
});
