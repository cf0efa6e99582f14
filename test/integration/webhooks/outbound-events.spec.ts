import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { EntityManager } from 'typeorm';
import { OutboundDeliveryService } from '../../../src/webhooks/outbound/outbound-delivery.service';
import { OutboundDispatcher } from '../../../src/webhooks/outbound/outbound-dispatcher';
import { OutboundEventsService, OutboundEventType } from '../../../src/webhooks/outbound/outbound-events.service';
import { PlatformReceiver } from '../../support/platform-receiver';
import { bearer, enabledAccount, startTestApp, TestApp } from '../../support/test-app';

const SECRET = 'platform-events-secret-for-tests';
const RETRY_BASE_MS = 50;
// Its own Bull prefix (still under the run's, so the global teardown removes it): no other test file's
// workers take these jobs.
const QUEUE_PREFIX = `${process.env.QUEUE_PREFIX}:outbound-events`;
// Longer than one periodic dispatch (every 2 s), to prove that something is *not* sent.
const QUIET_PERIOD_MS = 2_500;

/** Sits in front of the PlatformReceiver and cuts the connection of scripted requests: a network failure. */
class UnreliableNetwork {
  private plan: Array<'forward' | 'drop'> = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly upstream: PlatformReceiver) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next requests are forwarded or dropped in this order; afterwards all are forwarded. */
  script(...steps: Array<'forward' | 'drop'>): void {
    this.plan.push(...steps);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    if (this.plan.shift() === 'drop') {
      request.socket.destroy();
      return;
    }
    const forwarded = httpRequest(`${this.upstream.url}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    request.pipe(forwarded);
  }
}

interface EventRow {
  status: string;
  attempts: number;
  created_at: Date;
}

interface DeliveryLogRow {
  attempt: number;
  status_code: number | null;
  error: string | null;
  created_at: Date;
}

describe('outbound events to the platform', () => {
  let platform: PlatformReceiver;
  let network: UnreliableNetwork;
  let t: TestApp;
  let accountId: string;

  const configuredEnv = (extra: Record<string, string> = {}) => ({
    QUEUE_PREFIX,
    OUTBOUND_RETRY_BASE_MS: String(RETRY_BASE_MS),
    PLATFORM_EVENTS_URL: `${network.url}/payments/events`,
    PLATFORM_EVENTS_SECRET: SECRET,
    ...extra,
  });

  beforeAll(async () => {
    platform = new PlatformReceiver();
    await platform.start();
    network = new UnreliableNetwork(platform);
    await network.start();
    t = await startTestApp(configuredEnv());
    accountId = await enabledAccount(t);
  });

  beforeEach(() => platform.reset());

  // Nothing a test recorded may still be on its way when the next test scripts the platform's answers.
  afterEach(() => waitUntilNothingPending());

  afterAll(async () => {
    await t.close();
    await network.stop();
    await platform.stop();
  });

  type Tweak = (manager: EntityManager, eventId: string) => Promise<unknown>;

  /** Records an event the way the rest of the service does: through the outbox, inside a transaction. */
  function record(app: TestApp, type: OutboundEventType, data: Record<string, unknown>, tweak?: Tweak, account = accountId): Promise<string> {
    return app.dataSource.transaction(async (manager) => {
      const id = await app.app.get(OutboundEventsService).record(manager, { accountId: account, type, data });
      await tweak?.(manager, id);
      return id;
    });
  }

  const setColumns = (assignments: string): Tweak => (manager, id) => manager.query(`UPDATE outbound_events SET ${assignments} WHERE id = $1`, [id]);

  async function eventRow(id: string): Promise<EventRow> {
    const rows: EventRow[] = await t.dataSource.query('SELECT status, attempts, created_at FROM outbound_events WHERE id = $1', [id]);
    return rows[0];
  }

  async function waitForStatus(id: string, status: string, timeoutMs = 10_000): Promise<EventRow> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await eventRow(id);
      if (row.status === status) return row;
      if (Date.now() > deadline) throw new Error(`event ${id} is ${row.status} (${row.attempts} attempts), not ${status}`);
      await sleep(25);
    }
  }

  async function waitUntilNothingPending(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows: Array<{ count: string }> = await t.dataSource.query(`SELECT count(*) FROM outbound_events WHERE account_id = $1 AND status = 'pending'`, [accountId]);
      if (rows[0].count === '0') return;
      if (Date.now() > deadline) throw new Error(`${rows[0].count} events still pending`);
      await sleep(25);
    }
  }

  function deliveryLog(id: string): Promise<DeliveryLogRow[]> {
    return t.dataSource.query('SELECT attempt, status_code, error, created_at FROM outbound_event_deliveries WHERE event_id = $1 ORDER BY attempt', [id]);
  }

  const receivedFor = (id: string) => platform.received.filter((request) => request.body?.id === id);

  it('delivers an event recorded in a transaction with the contract body and a valid signature', async () => {
    const data = { charge: { id: 'c0a8b1e2-0000-4000-8000-000000000001', status: 'paid', amountPaid: 49.9 } };
    const id = await record(t, 'charge.paid', data);
    await waitForStatus(id, 'delivered');

    const [request] = receivedFor(id);
    expect(receivedFor(id)).toHaveLength(1);
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/payments/events');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const { created_at: createdAt } = await eventRow(id);
    expect(Object.keys(request.body)).toEqual(['id', 'type', 'accountId', 'createdAt', 'data']);
    expect(request.body).toEqual({ id, type: 'charge.paid', accountId, createdAt: createdAt.toISOString(), data });

    const [, timestamp, digest] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(request.headers['x-payments-signature'])) ?? [];
    expect(digest).toBe(createHmac('sha256', SECRET).update(`${timestamp}.${request.rawBody}`).digest('hex'));
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);

    const detail = await t.http.get(`/v1/events/${id}`).set(bearer('admin', accountId)).expect(200);
    expect(detail.body).toMatchObject({ id, status: 'delivered', attempts: 1, nextAttemptAt: null, lastError: null });
    expect(detail.body.deliveredAt).toEqual(expect.any(String));
    expect(detail.body.deliveries).toEqual([{ attempt: 1, statusCode: 200, error: null, durationMs: expect.any(Number), createdAt: expect.any(String) }]);
  });

  it('asks for a dispatch only once the recording transaction commits, and not when it rolls back', async () => {
    const kick = jest.spyOn(t.app.get(OutboundDispatcher), 'kick');
    try {
      await t.dataSource.transaction(async (manager) => {
        await t.app.get(OutboundEventsService).record(manager, { accountId, type: 'charge.overdue', data: {} });
        await t.app.get(OutboundEventsService).record(manager, { accountId, type: 'charge.canceled', data: {} });
        expect(kick).not.toHaveBeenCalled();
      });
      expect(kick).toHaveBeenCalledTimes(1);

      kick.mockClear();
      const rolledBack = t.dataSource.transaction(async (manager) => {
        await t.app.get(OutboundEventsService).record(manager, { accountId, type: 'charge.overdue', data: {} });
        throw new Error('the change failed');
      });
      await expect(rolledBack).rejects.toThrow('the change failed');
      expect(kick).not.toHaveBeenCalled();
    } finally {
      kick.mockRestore();
    }
  });

  it('retries 500, 503 and a dropped connection with exponential backoff, then delivers once', async () => {
    platform.respondWith(500, 503);
    network.script('forward', 'forward', 'drop');
    const id = await record(t, 'charge.partially_paid', { charge: { id: 'c0a8b1e2-0000-4000-8000-000000000002' } });
    await waitForStatus(id, 'delivered');
    await sleep(300);

    const log = await deliveryLog(id);
    expect(log.map((row) => [row.attempt, row.status_code])).toEqual([[1, 500], [2, 503], [3, null], [4, 200]]);
    expect(log[0].error).toMatch(/^HTTP 500/);
    expect(log[2].error).toMatch(/ECONNRESET|socket hang up/);
    expect(log[3].error).toBeNull();
    const gaps = log.slice(1).map((row, index) => row.created_at.getTime() - log[index].created_at.getTime());
    [RETRY_BASE_MS, 2 * RETRY_BASE_MS, 4 * RETRY_BASE_MS].forEach((backoff, index) => expect(gaps[index]).toBeGreaterThanOrEqual(backoff - 1));

    // The platform saw the two refused attempts and exactly one that it accepted.
    expect(receivedFor(id)).toHaveLength(3);
    expect(new Set(receivedFor(id).map((request) => request.rawBody)).size).toBe(1);
    const detail = await t.http.get(`/v1/events/${id}`).set(bearer('admin', accountId)).expect(200);
    expect(detail.body).toMatchObject({ status: 'delivered', attempts: 4, lastError: null });
  });

  it('gives up on an event older than the age limit, and delivers it again on request', async () => {
    platform.respondWith(500);
    const aged = setColumns(`created_at = now() - interval '27 hours', retry_window_started_at = now() - interval '27 hours'`);
    const id = await record(t, 'refund.failed', { refund: { id: 'r1' } }, aged);
    await waitForStatus(id, 'failed');

    const failed = await t.http.get(`/v1/events/${id}`).set(bearer('admin', accountId)).expect(200);
    expect(failed.body).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: null, deliveredAt: null });
    expect(failed.body.lastError).toMatch(/^HTTP 500/);
    expect(failed.body.deliveries.map((delivery: { statusCode: number }) => delivery.statusCode)).toEqual([500]);

    const redelivered = await t.http.post(`/v1/events/${id}/redeliver`).set(bearer('admin', accountId)).expect(202);
    expect(redelivered.body).toMatchObject({ id, status: 'pending', lastError: null });
    expect(redelivered.body.nextAttemptAt).toEqual(expect.any(String));
    await waitForStatus(id, 'delivered');

    const delivered = await t.http.get(`/v1/events/${id}`).set(bearer('admin', accountId)).expect(200);
    expect(delivered.body).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(delivered.body.deliveries.map((delivery: { attempt: number; statusCode: number }) => [delivery.attempt, delivery.statusCode])).toEqual([[1, 500], [2, 200]]);
    expect(receivedFor(id)).toHaveLength(2);
  });

  it('redelivers an event that was already delivered', async () => {
    const id = await record(t, 'charge.refunded', {});
    await waitForStatus(id, 'delivered');
    await t.http.post(`/v1/events/${id}/redeliver`).set(bearer('admin', accountId)).expect(202);
    await waitForStatus(id, 'delivered');
    expect(receivedFor(id)).toHaveLength(2);
    expect(receivedFor(id)[1].body).toEqual(receivedFor(id)[0].body);
  });

  it('stores events as not_configured without PLATFORM_EVENTS_URL and sends nothing', async () => {
    // A deployment of its own: its workers would otherwise take (and hand back) the configured instance's jobs.
    const unconfigured = await startTestApp({ QUEUE_PREFIX: `${QUEUE_PREFIX}:unconfigured` });
    try {
      const id = await record(unconfigured, 'charge.paid', { charge: { id: 'c0a8b1e2-0000-4000-8000-000000000003' } });
      expect((await eventRow(id)).status).toBe('not_configured');
      await sleep(QUIET_PERIOD_MS);
      expect(receivedFor(id)).toHaveLength(0);
      const listed = await unconfigured.http.get('/v1/events?status=not_configured').set(bearer('admin', accountId)).expect(200);
      expect(listed.body.data.map((event: { id: string }) => event.id)).toContain(id);

      const refused = await unconfigured.http.post(`/v1/events/${id}/redeliver`).set(bearer('admin', accountId)).expect(503);
      expect(refused.body.error.code).toBe('platform_events_not_configured');

      // Once an instance has the URL, the stored event can be sent.
      await t.http.post(`/v1/events/${id}/redeliver`).set(bearer('admin', accountId)).expect(202);
      await waitForStatus(id, 'delivered');
      expect(receivedFor(id)).toHaveLength(1);

      // Mixed configuration (a rolling deploy): a worker without the URL hands a queued event straight back.
      const queued = await record(t, 'charge.paid', {}, setColumns(`locked_until = now() + interval '60 seconds'`));
      expect(await unconfigured.app.get(OutboundDeliveryService).deliver(queued, 1)).toBe('skipped');
      await waitForStatus(queued, 'delivered', 5_000);
    } finally {
      await unconfigured.close();
    }
  });

  it('delivers each event once when two instances share the database and Redis', async () => {
    const second = await startTestApp(configuredEnv());
    try {
      const ids = await Promise.all(Array.from({ length: 30 }, (_, index) => record(index % 2 ? second : t, 'charge.paid', { index })));
      await Promise.all(ids.map((id) => waitForStatus(id, 'delivered', 20_000)));
      await sleep(300);
      for (const id of ids) expect(receivedFor(id)).toHaveLength(1);
      const logged: Array<{ count: string }> = await t.dataSource.query('SELECT count(*) FROM outbound_event_deliveries WHERE event_id = ANY($1::uuid[])', [ids]);
      expect(Number(logged[0].count)).toBe(30);
    } finally {
      await second.close();
    }
  });

  it('lets one worker only deliver an attempt, even when two run it at the same moment', async () => {
    const second = await startTestApp(configuredEnv());
    try {
      // Leased as the dispatcher leaves it: queued for delivery, so the periodic dispatch leaves it alone.
      const id = await record(t, 'charge.paid', {}, setColumns(`locked_until = now() + interval '60 seconds'`));
      const outcomes = await Promise.all([t, second].map((app) => app.app.get(OutboundDeliveryService).deliver(id, 1)));
      expect(outcomes.sort()).toEqual(['delivered', 'skipped']);
      expect(receivedFor(id)).toHaveLength(1);
      expect(await t.app.get(OutboundDeliveryService).deliver(id, 1)).toBe('skipped');
      expect(await deliveryLog(id)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('leaves an event to the worker that holds it, and takes it back once that lease runs out (worker died)', async () => {
    const heldByLiveWorker = setColumns(`locked_by = gen_random_uuid(), locked_until = now() + interval '1 hour'`);
    const id = await record(t, 'charge.canceled', {}, heldByLiveWorker);
    await sleep(QUIET_PERIOD_MS);
    expect(receivedFor(id)).toHaveLength(0);

    await t.dataSource.query(`UPDATE outbound_events SET locked_until = now() - interval '1 second' WHERE id = $1`, [id]);
    await waitForStatus(id, 'delivered');
    expect(receivedFor(id)).toHaveLength(1);
  });

  it('delivers events recorded by an API-only process through a worker process', async () => {
    const api = await startTestApp(configuredEnv({ PROCESS_ROLE: 'api' }));
    try {
      const id = await record(api, 'gateway_connection.invalid', { gatewayConnectionId: 'c0a8b1e2-0000-4000-8000-000000000004' });
      await waitForStatus(id, 'delivered');
      expect(receivedFor(id)).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  describe('GET /v1/events', () => {
    let owner: string;
    let ids: { paid: string; overdue: string; laterPaid: string };

    beforeAll(async () => {
      owner = await enabledAccount(t);
      // Final statuses are set in the recording transaction, so nothing is delivered while listing.
      const paid = await record(t, 'charge.paid', { n: 1 }, setColumns(`status = 'not_configured'`), owner);
      const overdue = await record(t, 'charge.overdue', { n: 2 }, setColumns(`status = 'failed', last_error = 'HTTP 500'`), owner);
      const laterPaid = await record(t, 'charge.paid', { n: 3 }, setColumns(`status = 'not_configured'`), owner);
      ids = { paid, overdue, laterPaid };
    });

    const list = (query: string, role: 'admin' | 'agent' | 'viewer' = 'admin', account = owner) => t.http.get(`/v1/events${query}`).set(bearer(role, account));
    const listedIds = (body: { data: Array<{ id: string }> }) => body.data.map((event) => event.id);

    it('pages newest first with a cursor, each item in the contract shape', async () => {
      const first = await list('?limit=2').expect(200);
      expect(listedIds(first.body)).toEqual([ids.laterPaid, ids.overdue]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      expect(Object.keys(first.body.data[1]).sort()).toEqual(['attempts', 'createdAt', 'data', 'deliveredAt', 'id', 'lastError', 'nextAttemptAt', 'status', 'type']);
      expect(first.body.data[1]).toMatchObject({ type: 'charge.overdue', status: 'failed', attempts: 0, lastError: 'HTTP 500', nextAttemptAt: null, data: { n: 2 } });

      const second = await list(`?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect(listedIds(second.body)).toEqual([ids.paid]);
      expect(second.body.nextCursor).toBeNull();
    });

    it('filters by type and status, one value or several', async () => {
      expect(listedIds((await list('?type=charge.paid').expect(200)).body)).toEqual([ids.laterPaid, ids.paid]);
      expect(listedIds((await list('?status=failed').expect(200)).body)).toEqual([ids.overdue]);
      expect(listedIds((await list('?type=charge.paid,charge.overdue&status=failed,not_configured').expect(200)).body)).toEqual([ids.laterPaid, ids.overdue, ids.paid]);
      expect(listedIds((await list('?type=refund.succeeded').expect(200)).body)).toEqual([]);
    });

    it('rejects unknown statuses, malformed types and cursors', async () => {
      expect((await list('?status=lost').expect(400)).body.error.code).toBe('validation_failed');
      await list('?type=DROP TABLE').expect(400);
      await list('?cursor=not-a-cursor').expect(400);
    });

    it("answers 404 for another account's event and for a malformed id", async () => {
      const stranger = await enabledAccount(t);
      await t.http.get(`/v1/events/${ids.paid}`).set(bearer('admin', stranger)).expect(404);
      const redeliver = await t.http.post(`/v1/events/${ids.paid}/redeliver`).set(bearer('admin', stranger)).expect(404);
      expect(redeliver.body.error.code).toBe('not_found');
      expect(listedIds((await list('', 'admin', stranger).expect(200)).body)).toEqual([]);
      await t.http.get('/v1/events/not-a-uuid').set(bearer('admin', owner)).expect(404);
      await t.http.post('/v1/events/not-a-uuid/redeliver').set(bearer('admin', owner)).expect(404);
      expect((await eventRow(ids.paid)).status).toBe('not_configured');
    });

    it('is for admins only', async () => {
      for (const role of ['agent', 'viewer'] as const) {
        expect((await list('', role).expect(403)).body.error.code).toBe('forbidden_role');
        await t.http.get(`/v1/events/${ids.paid}`).set(bearer(role, owner)).expect(403);
        await t.http.post(`/v1/events/${ids.paid}/redeliver`).set(bearer(role, owner)).expect(403);
      }
      await t.http.get('/v1/events').expect(401);
    });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
