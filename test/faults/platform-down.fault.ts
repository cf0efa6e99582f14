import { Account, FaultWorld } from './support/world';

/**
 * The platform's events endpoint fails (503), then is down (connection refused), then comes back: every outbound
 * event is retried with backoff and reaches the platform exactly once, and every failed attempt is in the
 * delivery log.
 */
describe('platform events endpoint down for a while', () => {
  let world: FaultWorld;
  let account: Account;

  beforeAll(async () => {
    world = await FaultWorld.create({ name: 'platform', outboundRetryBaseMs: 200 });
    await world.startServices([{ name: 'service' }]);
    account = await world.setUpAccount('asaas');
  });

  afterAll(() => world?.close());

  it('delivers every event exactly once after the outage, with the failed attempts logged', async () => {
    const before = [];
    for (let index = 0; index < 4; index += 1) before.push(await world.chargeOrFail(account));
    await world.settle([account], 30_000);

    world.events.failWith(503);
    const during = [];
    for (let index = 0; index < 4; index += 1) during.push(await world.chargeOrFail(account));
    for (const charge of before) await world.pay('asaas', charge.id);
    await world.eventually('the endpoint refused several attempts', async () => world.events.failedAttempts() >= 12, 30_000);

    await world.events.goDown();
    const whileDown = await world.chargeOrFail(account);
    await world.pay('asaas', during[0].id);
    await world.eventually('attempts failed with connection refused', async () => {
      const rows = await world.query(`SELECT count(*)::int AS n FROM outbound_event_deliveries WHERE status_code IS NULL`);
      return rows[0].n >= 4 || `${rows[0].n} refused attempts`;
    }, 30_000);
    const stuck = await world.query(`SELECT count(*)::int AS n FROM outbound_events WHERE account_id = $1 AND status = 'pending'`, [account.accountId]);
    expect(stuck[0].n).toBeGreaterThanOrEqual(9);

    await world.events.recover();
    await world.settle([account], 60_000);
    await world.expectConverged({
      accounts: [account],
      eventDelivery: 'exactly-once',
      charges: [
        ...before.map((charge) => ({ id: charge.id, provider: 'asaas' as const, status: 'paid', amountPaid: 100 })),
        { id: during[0].id, provider: 'asaas', status: 'paid', amountPaid: 100 },
        ...during.slice(1).map((charge) => ({ id: charge.id, provider: 'asaas' as const, status: 'awaiting_payment' })),
        { id: whileDown.id, provider: 'asaas', status: 'awaiting_payment' },
      ],
    });
    const log = await world.query(
      `SELECT count(*) FILTER (WHERE d.status_code = 503)::int AS refused, count(*) FILTER (WHERE d.status_code IS NULL)::int AS unreachable,
              count(*) FILTER (WHERE d.status_code = 200)::int AS delivered
       FROM outbound_event_deliveries d JOIN outbound_events e ON e.id = d.event_id WHERE e.account_id = $1`,
      [account.accountId],
    );
    expect(log[0].refused).toBe(world.events.failedAttempts());
    expect(log[0].unreachable).toBeGreaterThanOrEqual(4);
    expect(log[0].delivered).toBe(world.events.acceptedCounts().size);
    await world.summary('platform down');
  });
});
