import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { dataSourceOptions } from '../../src/common/database/data-source-options';
import { databaseUrlFor } from '../../test/support/test-database';
import { reportFailures } from '../lib/baseline';
import { FeedAnswer, FeedItem, runFeed } from '../lib/feed';
import { connectAsaas, enabledAccount } from '../lib/fixtures';
import { expectStatus } from '../lib/http';
import { InsertBaseline, measureInsertBaseline } from '../lib/insert-baseline';
import { percentile } from '../lib/percentile';
import { BenchResult, resultsOf } from '../lib/results';
import { BenchContext, Scenario } from '../lib/scenario';

const NAME = 'webhook-ingest';
const result = resultsOf(NAME);

// 800 charges made through the API (about 30 s here, ~25 charges/s), each with five distinct events:
// PAYMENT_CREATED and PAYMENT_RECEIVED as the simulator recorded them, plus three PAYMENT_UPDATED (the same
// pending snapshot under new event ids). 4,000 distinct events; 1,000 re-deliveries make 20% of 5,000 requests.
// 4,000 charges with one event each would take minutes to set up.
const CHARGES = 800;
const UPDATES_PER_CHARGE = 3;
const DISTINCT_EVENTS = CHARGES * (UPDATES_PER_CHARGE + 2);
const DUPLICATES = 1_000;
const CONNECTIONS = 50;
const SETUP_CONCURRENCY = 16;
const SETUP_BUDGET_SECONDS = 60;
/** Further charges, paid by one PAYMENT_RECEIVED each, posted one at a time after the burst: the unloaded latency. */
const SEQUENTIAL_CHARGES = 20;
/** Each baseline is the median of this many rounds: one round lasts about a second. */
const BASELINE_ROUNDS = 3;
const CHARGE_TOTAL = '150.00';
const PROCESSING_TIMEOUT_MS = 120_000;
const SEQUENTIAL_TIMEOUT_MS = 10_000;
const PROGRESS_EVERY_MS = 5_000;
/** Same order, same duplicates, run after run. */
const SHUFFLE_SEED = 0x5eed_2024;
/** The app's own pool size (DATABASE_POOL_SIZE, default 20): the baseline gets the same. */
const APP_POOL_SIZE = (dataSourceOptions('postgres://unused').extra as { max: number }).max;

interface PlannedEvent {
  id: string;
  type: 'PAYMENT_CREATED' | 'PAYMENT_UPDATED' | 'PAYMENT_RECEIVED';
  chargeId: string;
  body: string;
}

interface Setup {
  accountId: string;
  connectionId: string;
  path: string;
  authToken: string;
  /** Every charge made, the burst's and the sequential ones. */
  chargeIds: string[];
  /** The distinct events of the burst. */
  events: PlannedEvent[];
  /** One PAYMENT_RECEIVED per sequential charge. */
  sequential: PlannedEvent[];
  seconds: number;
}

interface AsaasWebhookBody {
  id: string;
  event: string;
  dateCreated: string;
  payment: { id: string; externalReference?: string | null; status: string };
}

export const webhookIngest: Scenario = {
  name: NAME,
  description: `${DISTINCT_EVENTS + DUPLICATES} signed Asaas webhooks (20% duplicates) at c=${CONNECTIONS}, each event applied once; vs INSERT ... ON CONFLICT`,
  run: async (ctx) => {
    // Until the end, the simulator records the webhooks it would send instead of sending them: they are
    // the bodies posted here, and nothing else may reach the app meanwhile.
    ctx.sims.asaas.setWebhookDelivery(false);
    try {
      const setup = await setUp(ctx);
      return 'unavailable' in setup ? setup.unavailable : await measure(ctx, setup);
    } finally {
      await ctx.sims.asaas.waitForWebhooks();
      ctx.sims.asaas.setWebhookDelivery(true);
    }
  },
};

// ---------------------------------------------------------------------------------------------------------
// Set-up: charges through the real API, the webhooks Asaas would send for them
// ---------------------------------------------------------------------------------------------------------

async function setUp(ctx: BenchContext): Promise<Setup | { unavailable: BenchResult[] }> {
  const started = performance.now();
  const accountId = await enabledAccount(ctx);
  const connectionId = await connectAsaas(ctx, accountId);
  const path = `/webhooks/asaas/${connectionId}`;
  const authToken = registeredAuthToken(ctx, path);
  const unavailable = await probeRoute(ctx, path, authToken);
  if (unavailable) return { unavailable };
  const total = CHARGES + SEQUENTIAL_CHARGES;
  ctx.log(`${NAME}: creating ${total} PIX charges of R$ ${CHARGE_TOTAL} through POST /v1/charges (${SETUP_CONCURRENCY} at a time)`);
  const agentToken = ctx.tokens.forAccount(accountId, 'agent');
  const chargeIds = await inParallel(total, SETUP_CONCURRENCY, ctx.signal, (index) => createCharge(ctx, agentToken, connectionId, index));
  const paymentIds = gatewayPaymentIds(ctx, chargeIds);
  for (const paymentId of paymentIds) await ctx.sims.asaas.pay(paymentId, { method: 'pix' });
  await ctx.sims.asaas.waitForWebhooks();
  const recorded = recordedWebhooks(ctx, path, authToken);
  const events = plannedEvents(recorded, chargeIds.slice(0, CHARGES), paymentIds.slice(0, CHARGES));
  const sequential = chargeIds.slice(CHARGES).map((chargeId, index) => recordedEvent(recorded, paymentIds[CHARGES + index], 'PAYMENT_RECEIVED', chargeId));
  const seconds = (performance.now() - started) / 1000;
  ctx.log(`${NAME}: set-up took ${seconds.toFixed(1)} s: ${chargeIds.length} charges paid at the gateway, ${events.length} distinct events for the burst`);
  if (seconds > SETUP_BUDGET_SECONDS) ctx.note(`${NAME}: set-up took ${seconds.toFixed(0)} s, over its ${SETUP_BUDGET_SECONDS} s budget (about 30 s on an idle 2-core machine): was the machine busy?`);
  return { accountId, connectionId, path, authToken, chargeIds, events, sequential, seconds };
}

/** The token the app registered at Asaas with its webhook (POST or PUT /webhooks): what Asaas sends back. */
function registeredAuthToken(ctx: BenchContext, path: string): string {
  const registrations = ctx.sims.asaas
    .requests()
    .filter((request) => /^\/v3\/webhooks(\/[^/?]+)?(\?|$)/.test(request.path) && (request.method === 'POST' || request.method === 'PUT'))
    .map((request) => request.body as { url?: unknown; authToken?: unknown })
    .filter((body) => typeof body.url === 'string' && body.url.endsWith(path) && typeof body.authToken === 'string');
  const last = registrations.at(-1);
  if (!last) throw new Error(`the app registered no Asaas webhook with an authToken for ${path}`);
  return last.authToken as string;
}

async function createCharge(ctx: BenchContext, agentToken: string, connectionId: string, index: number): Promise<string> {
  const reply = await ctx.http('POST', '/v1/charges', {
    token: agentToken,
    headers: { 'idempotency-key': `bench-webhook-ingest-${index}-${Date.now()}` },
    body: {
      customer: { name: 'Maria Souza', cpfCnpj: '24971563792', email: 'maria@example.com' },
      items: [{ description: `Pedido ${index + 1}`, quantity: 1, unitPrice: Number(CHARGE_TOTAL) }],
      paymentMethods: ['pix'],
      dueDate: saoPauloDate(7),
      gatewayConnectionId: connectionId,
    },
  });
  expectStatus(reply, 201, `creating charge ${index + 1}`);
  return (reply.body as { id: string }).id;
}

/** The simulator's payment of each charge (its externalReference is the charge id), in charge order. */
function gatewayPaymentIds(ctx: BenchContext, chargeIds: string[]): string[] {
  const byReference = new Map(ctx.sims.asaas.payments().map((payment) => [payment.externalReference, payment.id]));
  return chargeIds.map((chargeId) => {
    const paymentId = byReference.get(chargeId);
    if (!paymentId) throw new Error(`charge ${chargeId} has no payment at the Asaas simulator`);
    return paymentId;
  });
}

/** What the simulator would have posted to this connection, each body as Asaas sends it, by payment id. */
function recordedWebhooks(ctx: BenchContext, path: string, authToken: string): Map<string, Map<string, string>> {
  const byPayment = new Map<string, Map<string, string>>();
  for (const delivery of ctx.sims.asaas.deliveries()) {
    if (!delivery.url.endsWith(path)) continue;
    if (delivery.headers['asaas-access-token'] !== authToken) throw new Error('the simulator signs webhooks with another token than the registered one');
    const body = JSON.parse(delivery.body) as AsaasWebhookBody;
    const events = byPayment.get(body.payment.id) ?? new Map<string, string>();
    if (events.has(body.event)) throw new Error(`the simulator recorded ${body.event} twice for payment ${body.payment.id}`);
    events.set(body.event, delivery.body);
    byPayment.set(body.payment.id, events);
  }
  return byPayment;
}

/**
 * Per charge: the recorded PAYMENT_CREATED and PAYMENT_RECEIVED, and UPDATES_PER_CHARGE PAYMENT_UPDATED
 * carrying the pending snapshot of PAYMENT_CREATED under new event ids (Asaas sends one when a pending
 * payment is edited). Only PAYMENT_RECEIVED moves money; the others are applied without a transition.
 */
function plannedEvents(recorded: Map<string, Map<string, string>>, chargeIds: string[], paymentIds: string[]): PlannedEvent[] {
  return chargeIds.flatMap((chargeId, index) => {
    const created = recordedEvent(recorded, paymentIds[index], 'PAYMENT_CREATED', chargeId);
    const createdBody = JSON.parse(created.body) as AsaasWebhookBody;
    const updates = Array.from({ length: UPDATES_PER_CHARGE }, () => {
      const update = { ...createdBody, id: `evt_${randomBytes(16).toString('hex')}&bench`, event: 'PAYMENT_UPDATED' };
      return { id: update.id, type: 'PAYMENT_UPDATED' as const, chargeId, body: JSON.stringify(update) };
    });
    return [created, ...updates, recordedEvent(recorded, paymentIds[index], 'PAYMENT_RECEIVED', chargeId)];
  });
}

function recordedEvent(recorded: Map<string, Map<string, string>>, paymentId: string, type: 'PAYMENT_CREATED' | 'PAYMENT_RECEIVED', chargeId: string): PlannedEvent {
  const body = recorded.get(paymentId)?.get(type);
  if (!body) throw new Error(`the simulator recorded no ${type} for payment ${paymentId}`);
  return { id: (JSON.parse(body) as AsaasWebhookBody).id, type, chargeId, body };
}

/** A wrong token must be refused (401) before anything is set up; a missing route (404) skips the scenario. */
async function probeRoute(ctx: BenchContext, path: string, authToken: string): Promise<BenchResult[] | null> {
  const reply = await fetch(`${ctx.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'asaas-access-token': `not-${authToken}` },
    body: JSON.stringify({ id: `evt_${randomBytes(16).toString('hex')}&probe`, event: 'PAYMENT_CREATED', dateCreated: '2024-01-01 00:00:00' }),
  });
  await reply.arrayBuffer();
  if (reply.status === 401) return null;
  if (reply.status === 404) ctx.note(`${NAME}: POST /webhooks/asaas/{connectionId} answered 404: not measured`);
  else ctx.error(`${NAME}: a webhook with a wrong asaas-access-token was answered ${reply.status}, not 401`);
  return [result('wrong-token probe', reply.status, 'http status')];
}

// ---------------------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------------------

async function measure(ctx: BenchContext, setup: Setup): Promise<BenchResult[]> {
  const feed = deliveryOrder(setup.events);
  const baselineOptions = { databaseUrl: await databaseUrl(ctx), poolSize: APP_POOL_SIZE, concurrency: CONNECTIONS };
  const keys = feed.map((item) => item.key);
  const before = await insertBaseline(ctx, keys, baselineOptions, 'before');

  ctx.log(`${NAME}: posting ${feed.length} webhooks (${DUPLICATES} duplicates) to ${setup.path}, ${CONNECTIONS} connections`);
  const load = await runFeed(
    ctx.baseUrl,
    { method: 'POST', path: setup.path, headers: { 'content-type': 'application/json', 'user-agent': 'Asaas-Simulator/3', 'asaas-access-token': setup.authToken }, items: feed, connections: CONNECTIONS },
    ctx.signal,
  );
  reportFailures(ctx, `${NAME}: POST ${setup.path}`, load);
  const answers = checkAnswers(ctx, setup.events, feed, load.answers);

  const drained = await waitForProcessing(ctx, setup);
  const after = await insertBaseline(ctx, keys, baselineOptions, 'after');
  const timings = await processingTimes(ctx, setup);
  const unloaded = await measureSequential(ctx, setup);
  const violations = await verifyExactlyOnce(ctx, setup, drained);
  const baseline = meanOf(before, after);
  return [
    result(`set-up: ${setup.chargeIds.length} charges through the API`, setup.seconds, 's'),
    result(`baseline INSERT ON CONFLICT, pool ${APP_POOL_SIZE}, c=${CONNECTIONS}`, baseline.insertsPerSecond, 'inserts/s'),
    result('baseline INSERT after vs before (drift)', after.insertsPerSecond, 'inserts/s', before.insertsPerSecond),
    result('webhooks ingested/s', load.requestsPerSecond, 'req/s', baseline.insertsPerSecond),
    result('webhook p50 (vs INSERT p50)', load.p50Ms, 'ms', baseline.p50Ms),
    result('webhook p99 (vs INSERT p99)', load.p99Ms, 'ms', baseline.p99Ms),
    result('webhook requests failed', load.failures, 'requests'),
    result('duplicates answered duplicate:true (vs sent)', answers.duplicates, 'requests', DUPLICATES),
    result('receipt -> charge paid p50 (PAYMENT_RECEIVED)', timings.receivedP50Ms, 'ms'),
    result('receipt -> charge paid p99 (PAYMENT_RECEIVED)', timings.receivedP99Ms, 'ms'),
    result(`receipt -> charge paid p50, 1 webhook at a time (${SEQUENTIAL_CHARGES})`, unloaded.receiptToPaidP50Ms, 'ms'),
    result(`webhook p50, 1 webhook at a time (${SEQUENTIAL_CHARGES})`, unloaded.httpP50Ms, 'ms'),
    result('receipt -> processed p50 (all events)', timings.allP50Ms, 'ms'),
    result('receipt -> processed p99 (all events)', timings.allP99Ms, 'ms'),
    result('events processed/s (vs distinct events received/s)', timings.processedPerSecond, 'events/s', (load.successes + load.failures - answers.duplicates) / load.durationSeconds),
    result('events retried (attempts > 1)', timings.retried, 'events'),
    result('exactly-once violations', violations + answers.violations, 'checks'),
  ];
}

/**
 * The distinct events shuffled, then each duplicate placed after its original: half of them within
 * CONNECTIONS positions, so in flight together with it, the other half anywhere later.
 */
function deliveryOrder(events: PlannedEvent[]): FeedItem[] {
  const random = mulberry32(SHUFFLE_SEED);
  const distinct = shuffle([...events], random);
  const originals = shuffle(distinct.map((_, index) => index), random).slice(0, DUPLICATES);
  const placed = distinct.map((event, index) => ({ event, position: index }));
  originals.forEach((index, n) => {
    const room = distinct.length - index;
    const offset = 1 + Math.floor(random() * (n % 2 === 0 ? Math.min(CONNECTIONS, room) : room));
    placed.push({ event: distinct[index], position: Math.min(index + offset, distinct.length) - 0.5 });
  });
  return placed.sort((a, b) => a.position - b.position).map(({ event }) => ({ key: event.id, body: event.body }));
}

async function databaseUrl(ctx: BenchContext): Promise<string> {
  const rows = (await ctx.db.query<{ name: string }>('SELECT current_database() AS name')).rows;
  return databaseUrlFor(rows[0].name);
}

/** The median (by inserts/s) of BASELINE_ROUNDS rounds, each on a fresh table: one round is short and noisy. */
async function insertBaseline(ctx: BenchContext, keys: string[], options: Parameters<typeof measureInsertBaseline>[1], when: string): Promise<InsertBaseline> {
  ctx.log(`${NAME}: baseline ${when}: ${BASELINE_ROUNDS} x ${keys.length} single-row INSERT ... ON CONFLICT DO NOTHING, pool ${options.poolSize}, ${options.concurrency} callers`);
  const rounds: InsertBaseline[] = [];
  for (let round = 0; round < BASELINE_ROUNDS; round++) {
    ctx.signal.throwIfAborted();
    const baseline = await measureInsertBaseline(keys, options);
    if (baseline.failures > 0) ctx.error(`${NAME}: baseline ${when}: ${baseline.failures} inserts failed (${baseline.firstError})`);
    if (baseline.inserted !== DISTINCT_EVENTS) ctx.error(`${NAME}: baseline ${when} inserted ${baseline.inserted} rows, not ${DISTINCT_EVENTS}`);
    rounds.push(baseline);
  }
  const median = [...rounds].sort((a, b) => a.insertsPerSecond - b.insertsPerSecond)[Math.floor(rounds.length / 2)];
  ctx.log(`${NAME}: baseline ${when}: ${rounds.map((round) => round.insertsPerSecond.toFixed(0)).join(', ')} inserts/s, median ${median.insertsPerSecond.toFixed(0)}`);
  return median;
}

function meanOf(before: InsertBaseline, after: InsertBaseline): Pick<InsertBaseline, 'insertsPerSecond' | 'p50Ms' | 'p99Ms'> {
  const mean = (pick: (baseline: InsertBaseline) => number) => (pick(before) + pick(after)) / 2;
  return { insertsPerSecond: mean((b) => b.insertsPerSecond), p50Ms: mean((b) => b.p50Ms), p99Ms: mean((b) => b.p99Ms) };
}

/**
 * Every request answered 200 {received:true}; across all requests with the same event id, exactly one says
 * duplicate:false and every other one duplicate:true.
 */
function checkAnswers(ctx: BenchContext, events: PlannedEvent[], feed: FeedItem[], answers: FeedAnswer[]): { duplicates: number; violations: number } {
  const sent = countBy(feed.map((item) => item.key));
  const fresh = new Map<string, number>();
  let duplicates = 0;
  const problems: string[] = [];
  for (const answer of answers) {
    const body = parseJson(answer.body) as { received?: unknown; duplicate?: unknown } | null;
    if (answer.status !== 200 || body?.received !== true || typeof body.duplicate !== 'boolean') {
      problems.push(`${answer.key}: ${answer.status} ${answer.body.slice(0, 200)}`);
    } else if (body.duplicate) {
      duplicates += 1;
    } else {
      fresh.set(answer.key, (fresh.get(answer.key) ?? 0) + 1);
    }
  }
  if (answers.length !== feed.length) problems.push(`${answers.length} answers for ${feed.length} requests`);
  const twiceFresh = [...fresh].filter(([, count]) => count > 1).map(([key]) => key);
  const neverFresh = events.filter((event) => !fresh.has(event.id)).map((event) => event.id);
  if (twiceFresh.length > 0) problems.push(`${twiceFresh.length} events answered duplicate:false more than once, e.g. ${twiceFresh[0]}`);
  if (neverFresh.length > 0) problems.push(`${neverFresh.length} events never answered duplicate:false, e.g. ${neverFresh[0]}`);
  const expectedDuplicates = feed.length - sent.size;
  if (duplicates !== expectedDuplicates) problems.push(`${duplicates} answers said duplicate:true, ${expectedDuplicates} were duplicates`);
  for (const problem of problems.slice(0, 10)) ctx.error(`${NAME}: answers: ${problem}`);
  if (problems.length > 10) ctx.error(`${NAME}: answers: ... and ${problems.length - 10} more problems`);
  ctx.log(`${NAME}: ${answers.length} answers, ${fresh.size} first receipts, ${duplicates} duplicate:true`);
  return { duplicates, violations: problems.length };
}

interface Drained {
  complete: boolean;
  statuses: Record<string, number>;
}

/** Until no event of the connection is left `received` or `failed` (retrying), bounded by PROCESSING_TIMEOUT_MS. */
async function waitForProcessing(ctx: BenchContext, setup: Setup): Promise<Drained> {
  const started = Date.now();
  let lastProgress = started;
  for (;;) {
    ctx.signal.throwIfAborted();
    const statuses = await inboxStatuses(ctx, setup.connectionId);
    const stored = Object.values(statuses).reduce((total, count) => total + count, 0);
    const pending = (statuses.received ?? 0) + (statuses.failed ?? 0);
    if (stored >= DISTINCT_EVENTS && pending === 0) {
      ctx.log(`${NAME}: every event processed ${((Date.now() - started) / 1000).toFixed(1)} s after the last request (${describe(statuses)})`);
      return { complete: true, statuses };
    }
    if (Date.now() - started > PROCESSING_TIMEOUT_MS) {
      ctx.error(`${NAME}: events still unprocessed ${PROCESSING_TIMEOUT_MS / 1000} s after the load: ${describe(statuses)}`);
      return { complete: false, statuses };
    }
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      ctx.log(`${NAME}: processing: ${describe(statuses)}`);
      lastProgress = Date.now();
    }
    await sleep(250);
  }
}

async function inboxStatuses(ctx: BenchContext, connectionId: string): Promise<Record<string, number>> {
  const rows = (await ctx.db.query<{ status: string; count: string }>(`SELECT status, count(*) AS count FROM webhook_events WHERE connection_id = $1 GROUP BY status`, [connectionId])).rows;
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

async function processingTimes(ctx: BenchContext, setup: Setup) {
  const rows = (
    await ctx.db.query<{ event_type: string; ms: number; attempts: number }>(
      `SELECT event_type, extract(epoch FROM processed_at - received_at)::float8 * 1000 AS ms, attempts
         FROM webhook_events WHERE connection_id = $1 AND processed_at IS NOT NULL`,
      [setup.connectionId],
    )
  ).rows;
  const span = (await ctx.db.query<{ seconds: number | null }>(`SELECT extract(epoch FROM max(processed_at) - min(received_at))::float8 AS seconds FROM webhook_events WHERE connection_id = $1`, [setup.connectionId])).rows[0];
  const received = rows.filter((row) => row.event_type === 'PAYMENT_RECEIVED').map((row) => row.ms);
  const all = rows.map((row) => row.ms);
  return {
    receivedP50Ms: percentile(received, 50),
    receivedP99Ms: percentile(received, 99),
    allP50Ms: percentile(all, 50),
    allP99Ms: percentile(all, 99),
    processedPerSecond: span.seconds ? rows.length / span.seconds : Number.NaN,
    retried: rows.filter((row) => row.attempts > 1).length,
  };
}

/**
 * The same route and processing with nothing queued: one PAYMENT_RECEIVED at a time, each waited for until
 * processed. What the burst's receipt -> paid figures add on top of this is time spent waiting in the queue.
 */
async function measureSequential(ctx: BenchContext, setup: Setup): Promise<{ receiptToPaidP50Ms: number; httpP50Ms: number }> {
  ctx.log(`${NAME}: ${setup.sequential.length} PAYMENT_RECEIVED one at a time, each waited for until processed`);
  const http: number[] = [];
  for (const event of setup.sequential) {
    ctx.signal.throwIfAborted();
    const started = performance.now();
    const reply = await fetch(`${ctx.baseUrl}${setup.path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'asaas-access-token': setup.authToken }, body: event.body });
    const text = await reply.text();
    http.push(performance.now() - started);
    if (reply.status !== 200) throw new Error(`sequential webhook ${event.id}: ${reply.status} ${text.slice(0, 200)}`);
    await waitUntilProcessed(ctx, setup.connectionId, event.id);
  }
  const rows = (
    await ctx.db.query<{ ms: number }>(
      `SELECT extract(epoch FROM processed_at - received_at)::float8 * 1000 AS ms FROM webhook_events WHERE connection_id = $1 AND provider_event_id = ANY($2::text[])`,
      [setup.connectionId, setup.sequential.map((event) => event.id)],
    )
  ).rows;
  return { receiptToPaidP50Ms: percentile(rows.map((row) => row.ms), 50), httpP50Ms: percentile(http, 50) };
}

async function waitUntilProcessed(ctx: BenchContext, connectionId: string, eventId: string): Promise<void> {
  const deadline = Date.now() + SEQUENTIAL_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const rows = (await ctx.db.query<{ status: string }>(`SELECT status FROM webhook_events WHERE connection_id = $1 AND provider_event_id = $2`, [connectionId, eventId])).rows;
    if (rows[0] && rows[0].status !== 'received' && rows[0].status !== 'failed') return;
    await sleep(5);
  }
  throw new Error(`sequential webhook ${eventId} not processed within ${SEQUENTIAL_TIMEOUT_MS / 1000} s`);
}

// ---------------------------------------------------------------------------------------------------------
// Exactly once, checked in the database
// ---------------------------------------------------------------------------------------------------------

/**
 * What "applied exactly once" means for this mix:
 * - inbox: one row per distinct event id, no other row, each `processed` against its own charge;
 * - PAYMENT_RECEIVED (moves money): the charge `paid` with amount_paid = total, its payment received once
 *   (amount_received = total), one `charge.paid` event, no partial payment, no credit from a second receipt;
 * - PAYMENT_CREATED / PAYMENT_UPDATED (pending snapshots): processed, no transition, no event of their own.
 * Returns the number of failed checks; each is reported as an error.
 */
async function verifyExactlyOnce(ctx: BenchContext, setup: Setup, drained: Drained): Promise<number> {
  const failures: string[] = [];
  const fail = (message: string) => failures.push(message);
  await checkInbox(ctx, setup, fail);
  await checkCharges(ctx, setup, fail);
  await checkOutboundEvents(ctx, setup, fail);
  await checkPayments(ctx, setup, fail);
  if (!drained.complete) fail(`not every event was processed in time (${describe(drained.statuses)})`);
  for (const failure of failures) ctx.error(`${NAME}: EXACTLY-ONCE VIOLATED: ${failure}`);
  if (failures.length === 0) {
    const events = setup.events.length + setup.sequential.length;
    ctx.log(`${NAME}: exactly once: OK: ${events} events, one inbox row each, all processed; ${setup.chargeIds.length} charges paid once, one charge.paid each`);
  }
  return failures.length;
}

async function checkInbox(ctx: BenchContext, setup: Setup, fail: (message: string) => void): Promise<void> {
  const rows = (
    await ctx.db.query<{ provider_event_id: string; status: string; charge_id: string | null; last_error: string | null }>(
      `SELECT provider_event_id, status, charge_id, last_error FROM webhook_events WHERE connection_id = $1`,
      [setup.connectionId],
    )
  ).rows;
  const events = [...setup.events, ...setup.sequential];
  const expected = new Map(events.map((event) => [event.id, event]));
  const rowsPerId = countBy(rows.map((row) => row.provider_event_id));
  const missing = events.filter((event) => !rowsPerId.has(event.id));
  const repeated = [...rowsPerId].filter(([, count]) => count > 1);
  const unexpected = [...rowsPerId.keys()].filter((id) => !expected.has(id));
  if (missing.length > 0) fail(`${missing.length} events have no inbox row (lost), e.g. ${missing[0].id}`);
  if (repeated.length > 0) fail(`${repeated.length} events have more than one inbox row, e.g. ${repeated[0][0]}`);
  if (unexpected.length > 0) fail(`${unexpected.length} inbox rows for events not in the plan, e.g. ${unexpected[0]}`);
  const notProcessed = rows.filter((row) => row.status !== 'processed');
  if (notProcessed.length > 0) {
    const example = notProcessed[0];
    fail(`${notProcessed.length} events not processed (${describe(countBy(notProcessed.map((row) => row.status)))}), e.g. ${example.provider_event_id}: ${example.status} ${example.last_error ?? ''}`);
  }
  const misapplied = rows.filter((row) => row.status === 'processed' && expected.has(row.provider_event_id) && row.charge_id !== expected.get(row.provider_event_id)!.chargeId);
  if (misapplied.length > 0) fail(`${misapplied.length} events processed against another charge than their own, e.g. ${misapplied[0].provider_event_id}`);
}

async function checkCharges(ctx: BenchContext, setup: Setup, fail: (message: string) => void): Promise<void> {
  const rows = (
    await ctx.db.query<{ id: string; status: string; amount_paid: string; total: string }>(
      `SELECT id, status, amount_paid::text, total::text FROM charges WHERE id = ANY($1::uuid[])`,
      [setup.chargeIds],
    )
  ).rows;
  if (rows.length !== setup.chargeIds.length) fail(`${rows.length} of the ${setup.chargeIds.length} charges found`);
  const unpaid = rows.filter((row) => row.status !== 'paid');
  const wrongAmount = rows.filter((row) => row.amount_paid !== row.total || row.total !== CHARGE_TOTAL);
  if (unpaid.length > 0) fail(`${unpaid.length} charges not paid (${describe(countBy(unpaid.map((row) => row.status)))}), e.g. ${unpaid[0].id}`);
  if (wrongAmount.length > 0) fail(`${wrongAmount.length} charges with amount_paid != total, e.g. ${wrongAmount[0].id}: paid ${wrongAmount[0].amount_paid} of ${wrongAmount[0].total}`);
  const credits = (await ctx.db.query<{ count: string }>(`SELECT count(*) AS count FROM customer_credit_entries WHERE account_id = $1`, [setup.accountId])).rows[0];
  if (Number(credits.count) > 0) fail(`${credits.count} customer credit entries (money counted twice becomes credit)`);
}

/** Per charge, exactly: charge.awaiting_payment (at creation) and charge.paid, once each. */
async function checkOutboundEvents(ctx: BenchContext, setup: Setup, fail: (message: string) => void): Promise<void> {
  const rows = (
    await ctx.db.query<{ charge_id: string | null; type: string; count: string }>(
      `SELECT coalesce(data->'charge'->>'id', data->>'chargeId') AS charge_id, type, count(*) AS count
         FROM outbound_events WHERE account_id = $1 GROUP BY 1, 2`,
      [setup.accountId],
    )
  ).rows;
  const paidOnce = new Set(rows.filter((row) => row.type === 'charge.paid' && row.count === '1').map((row) => row.charge_id));
  const paidTwice = rows.filter((row) => row.type === 'charge.paid' && Number(row.count) > 1);
  const missing = setup.chargeIds.filter((id) => !paidOnce.has(id) && !paidTwice.some((row) => row.charge_id === id));
  const others = rows.filter((row) => row.type !== 'charge.paid' && row.type !== 'charge.awaiting_payment');
  if (paidTwice.length > 0) fail(`${paidTwice.length} charges have more than one charge.paid event, e.g. ${paidTwice[0].charge_id} (${paidTwice[0].count})`);
  if (missing.length > 0) fail(`${missing.length} charges have no charge.paid event, e.g. ${missing[0]}`);
  if (others.length > 0) fail(`unexpected events: ${others.map((row) => `${row.type} x${row.count}`).join(', ')}`);
}

async function checkPayments(ctx: BenchContext, setup: Setup, fail: (message: string) => void): Promise<void> {
  const rows = (
    await ctx.db.query<{ charge_id: string; amount_received: string; status: string }>(
      `SELECT charge_id, amount_received::text, status::text FROM payments WHERE charge_id = ANY($1::uuid[])`,
      [setup.chargeIds],
    )
  ).rows;
  const perCharge = countBy(rows.map((row) => row.charge_id));
  const notOne = setup.chargeIds.filter((id) => perCharge.get(id) !== 1);
  const wrongReceived = rows.filter((row) => row.amount_received !== CHARGE_TOTAL);
  if (notOne.length > 0) fail(`${notOne.length} charges without exactly one payment row, e.g. ${notOne[0]} (${perCharge.get(notOne[0]) ?? 0})`);
  if (wrongReceived.length > 0) fail(`${wrongReceived.length} payments with amount_received != ${CHARGE_TOTAL}, e.g. charge ${wrongReceived[0].charge_id}: ${wrongReceived[0].amount_received}`);
  // Not money applied twice, so not counted above; but a paid payment should not read as pending again.
  const regressed = rows.filter((row) => row.status !== 'succeeded');
  if (regressed.length > 0) {
    ctx.note(
      `${NAME}: ${regressed.length} of ${rows.length} payments of paid charges are not 'succeeded' (${describe(countBy(regressed.map((row) => row.status)))}): ` +
        `a pending snapshot (PAYMENT_UPDATED/PAYMENT_CREATED) processed after PAYMENT_RECEIVED overwrites payments.status, e.g. charge ${regressed[0].charge_id}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------

async function inParallel<T>(count: number, limit: number, signal: AbortSignal, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      signal.throwIfAborted();
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function describe(counts: Record<string, number> | Map<string, number>): string {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  return entries.map(([key, count]) => `${key}: ${count}`).join(', ') || 'none';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other], items[index]];
  }
  return items;
}

/** Small seeded PRNG: the same delivery order on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** YYYY-MM-DD, `days` from today in America/Sao_Paulo (the zone due dates are in). */
function saoPauloDate(days: number): string {
  const day = new Date(Date.now() + days * 24 * 60 * 60 * 1000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(day);
}
