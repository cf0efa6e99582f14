import { runLoadAround, settlePendingRefundsNow } from './support/load';
import { PrivatePostgres, PrivateRedis } from './support/private-servers';
import { sleep } from './support/service-process';
import { Account, FaultWorld } from './support/world';

/** Every repeatable schedule a worker registers at start-up (queue:job). */
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

async function registeredSchedules(world: FaultWorld): Promise<string[]> {
  const names: string[] = [];
  for (const queue of new Set(ALL_SCHEDULES.map((schedule) => schedule.split(':')[0]))) {
    names.push(...(await world.queue(queue).getRepeatableJobs()).map((job) => `${queue}:${job.name}`));
  }
  return names.sort();
}

const pendingRefunds = async (world: FaultWorld): Promise<number> => (await world.query(`SELECT count(*)::int AS n FROM refunds WHERE status = 'pending'`))[0].n;

/**
 * PostgreSQL restarted under load (fast shutdown: every session cut, open transactions rolled back, 3 s down).
 * Requests may fail during the outage; clients and the gateways repeat them; nothing is lost or applied twice.
 */
describe('PostgreSQL restarted under load', () => {
  let postgres: PrivatePostgres;
  let world: FaultWorld;
  let accounts: { asaas: Account; mercadopago: Account };

  beforeAll(async () => {
    postgres = await PrivatePostgres.create();
    world = await FaultWorld.create({ name: 'pg_restart', databaseUrl: await postgres.createDatabase('payments_faults') });
    await world.startServices([{ name: 'service' }]);
    accounts = { asaas: await world.setUpAccount('asaas'), mercadopago: await world.setUpAccount('mercadopago') };
  });

  afterAll(async () => {
    await world?.close();
    await postgres?.destroy();
  });

  it('converges: every charge created once, every webhook and refund applied once, every event delivered', async () => {
    const load = await runLoadAround(world, accounts, async () => {
      await sleep(1500);
      await postgres.restart(3000);
    });
    expect(world.services[0].isRunning).toBe(true);
    await load.deliveries;
    // A refund cut between its reservation and the gateway call waits for the pending-refunds schedule (2 min).
    let nudged = 0;
    await world.eventually('webhooks complete the refunds', async () => (await pendingRefunds(world)) === 0, 30_000).catch(async () => {
      nudged = await pendingRefunds(world);
      await settlePendingRefundsNow(world);
    });
    await world.settle([accounts.asaas, accounts.mercadopago], 150_000);
    await world.expectConverged({ accounts: [accounts.asaas, accounts.mercadopago], charges: load.expected, eventDelivery: 'at-least-once' });
    await world.summary(`PostgreSQL restart (client answers ${JSON.stringify(load.answers)}; ${nudged} refunds left to the pending-refunds job)`);
  });
});

/**
 * Redis restarted under load without persistence: every queued job and every repeatable schedule is gone. The
 * restart is timed while webhook jobs are queued (Mercado Pago ones wait on a slow gateway) and outbound events
 * wait in backoff (the platform answers 503), and nothing happens afterwards to kick anything. The inbox and the
 * outbox are in PostgreSQL: nothing may be lost.
 */
describe('Redis restarted under load (no persistence)', () => {
  let redis: PrivateRedis;
  let world: FaultWorld;
  let accounts: { asaas: Account; mercadopago: Account };
  let load: Awaited<ReturnType<typeof runLoadAround>>;
  let burst: Array<{ id: string }> = [];
  const atRestart = { waitingWebhookJobs: 0, activeWebhookJobs: 0, eventsInBackoff: 0 };
  const beforeSchedulesCameBack = { unprocessedWebhooks: 0, undeliveredEvents: 0 };

  beforeAll(async () => {
    redis = await PrivateRedis.create();
    // Retries 2 s, 4 s, 8 s...: events wait in backoff long enough to outlive the traffic that could kick them.
    world = await FaultWorld.create({ name: 'redis_restart', redisUrl: redis.url, outboundRetryBaseMs: 2000 });
    await world.startServices([{ name: 'service' }]);
    accounts = { asaas: await world.setUpAccount('asaas'), mercadopago: await world.setUpAccount('mercadopago') };
    for (let index = 0; index < 30; index += 1) burst.push(await world.chargeOrFail(accounts.mercadopago));
    expect(await registeredSchedules(world)).toEqual(ALL_SCHEDULES);
  });

  afterAll(async () => {
    await world?.close();
    await redis?.destroy();
  });

  it('keeps serving through the restart', async () => {
    const burstDeliveries: Array<Promise<unknown>> = [];
    load = await runLoadAround(world, accounts, async () => {
      await sleep(1000);
      world.events.failWith(503);
      await world.eventually('outbound events in backoff', async () => (await world.query(`SELECT count(*)::int AS n FROM outbound_events WHERE status = 'pending' AND attempts > 0`))[0].n >= 3, 30_000);
      // More slow jobs than the worker runs at once (8 webhook jobs, plus the schedules' slots): some wait in Redis.
      world.mercadopago.setLatency(3000);
      for (const charge of burst) burstDeliveries.push(world.pay('mercadopago', charge.id).catch((error) => error));
      const webhooks = world.queue('webhooks');
      await world.eventually('webhook jobs waiting in Redis', async () => {
        const counts = await webhooks.getJobCounts();
        atRestart.waitingWebhookJobs = counts.waiting;
        atRestart.activeWebhookJobs = counts.active;
        return counts.waiting >= 5 || JSON.stringify(counts);
      }, 30_000);
      atRestart.eventsInBackoff = (await world.query(`SELECT count(*)::int AS n FROM outbound_events WHERE status = 'pending'`))[0].n;
      await redis.restart(2000);
    });
    load.expected.push(...burst.map((charge) => ({ id: charge.id, provider: 'mercadopago' as const, status: 'paid', amountPaid: 100 })));
    await Promise.all([load.deliveries, Promise.allSettled(burstDeliveries)]);
    world.mercadopago.setLatency(0);
    await world.events.recover();
    expect(world.services[0].isRunning).toBe(true);
    expect(atRestart.waitingWebhookJobs).toBeGreaterThanOrEqual(5);
    expect(atRestart.eventsInBackoff).toBeGreaterThanOrEqual(3);
  });

  // KNOWN BUG (src/common/queue/repeatable-jobs.ts and every *Scheduler/*Schedules): schedules are registered in
  // Redis once, at start-up (onApplicationBootstrap). A Redis that loses its data (restart without persistence,
  // failover to an empty replica, FLUSHALL) takes them along, and no instance registers them again until it is
  // restarted: no webhook sweeper, no outbox dispatch, no charge recovery, no reconciliation, no pending-refunds
  // retry. Webhooks whose jobs were lost stay unprocessed and events waiting for a retry stay undelivered.
  // When fixed, Jest reports this test as failing: change `it.failing` to `it` (and drop the service restart below).
  it.failing('KNOWN BUG: registers its schedules again once Redis is back', async () => {
    await world.eventually('every schedule registered again', async () => {
      const schedules = await registeredSchedules(world);
      return JSON.stringify(schedules) === JSON.stringify(ALL_SCHEDULES) || `registered: ${JSON.stringify(schedules)}`;
    }, 15_000);
  });

  it('loses nothing: once the schedules run again, every webhook, refund and event converges exactly once', async () => {
    // What the missing schedules left behind (the known-bug test above gave them 15 s to come back).
    beforeSchedulesCameBack.unprocessedWebhooks = (await world.query(`SELECT count(*)::int AS n FROM webhook_events WHERE status NOT IN ('processed', 'ignored')`))[0].n;
    beforeSchedulesCameBack.undeliveredEvents = (await world.query(`SELECT count(*)::int AS n FROM outbound_events WHERE status <> 'delivered'`))[0].n;
    // The work-around for the known bug above: a restart of the service registers the schedules again.
    await world.services[0].stop();
    await world.services[0].start();
    expect(await registeredSchedules(world)).toEqual(ALL_SCHEDULES);
    // Stored webhooks whose jobs were lost are re-enqueued by the sweeper once 60 s old (it runs every 60 s).
    await world.settle([accounts.asaas, accounts.mercadopago], 180_000);
    await world.expectConverged({ accounts: [accounts.asaas, accounts.mercadopago], charges: load.expected, eventDelivery: 'at-least-once' });
    await world.summary(
      `Redis restart (at the restart: ${atRestart.waitingWebhookJobs} webhook jobs waiting, ${atRestart.activeWebhookJobs} active, ${atRestart.eventsInBackoff} events pending; ` +
        `before the service restart: ${beforeSchedulesCameBack.unprocessedWebhooks} webhooks unprocessed, ${beforeSchedulesCameBack.undeliveredEvents} events undelivered; ` +
        `client answers ${JSON.stringify(load.answers)})`,
    );
  });
});
