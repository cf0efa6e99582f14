import Bull, { Queue } from 'bull';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { AsaasSimulator, AsaasSimulatorOptions } from '../../simulators/asaas/asaas-simulator';
import { MercadoPagoSimulator, MercadoPagoSimulatorOptions } from '../../simulators/mercadopago/mercadopago-simulator';
import { api, ApiResponse, bearer, chargeBody } from './api';
import { databaseUrlFor, deleteKeys, withAdmin } from './cleanup';
import { EventsEndpoint } from './events-endpoint';
import { freePort } from './http-forward';
import { GatewayProxy } from './gateway-proxy';
import { LoadBalancer } from './load-balancer';
import { REPOSITORY_ROOT, ServiceProcess, sleep } from './service-process';

export type Provider = 'asaas' | 'mercadopago';

export interface WorldOptions {
  /** Short name: [a-z0-9_]; used for the database, the Bull prefix and the log folder. */
  name: string;
  /** Default: a fresh database on the machine's PostgreSQL (migrated by the service at start-up). */
  databaseUrl?: string;
  redisUrl?: string;
  asaas?: AsaasSimulatorOptions;
  mercadopago?: MercadoPagoSimulatorOptions;
  outboundRetryBaseMs?: number;
}

export interface ServiceSpec {
  name: string;
  role?: 'api' | 'worker' | 'all';
  /** Receives the traffic of the balancer (default true). */
  behindBalancer?: boolean;
}

export interface Account {
  accountId: string;
  connectionId: string;
  provider: Provider;
}

export interface ExpectedCharge {
  id: string;
  provider: Provider;
  /** Gateway objects the charge must have, one per method (default 1: pix only); null: checked by the scenario. */
  gatewayObjects?: number | null;
  status: string;
  amountPaid?: number;
  amountRefunded?: number;
}

export interface Convergence {
  charges: ExpectedCharge[];
  accounts: Account[];
  /** `exactly-once` unless the scenario cut a delivery between the platform's 2xx and its record (at-least-once). */
  eventDelivery: 'exactly-once' | 'at-least-once';
}

const SECRET = 'platform-events-secret-for-fault-tests';

/**
 * One fault scenario's world: gateway simulators behind holding proxies, the platform's events endpoint, a load
 * balancer in front of real service processes, its own database and Bull prefix, and the checks every scenario
 * ends with (nothing lost, nothing twice, ledger clean).
 */
export class FaultWorld {
  readonly services: ServiceProcess[] = [];
  readonly logDirectory: string;
  balancer: LoadBalancer | null = null;
  private queues = new Map<string, Queue>();
  private ownsDatabase = false;

  private constructor(
    readonly name: string,
    readonly asaas: AsaasSimulator,
    readonly mercadopago: MercadoPagoSimulator,
    readonly asaasProxy: GatewayProxy,
    readonly mercadopagoProxy: GatewayProxy,
    readonly events: EventsEndpoint,
    readonly databaseUrl: string,
    readonly redisUrl: string,
    readonly queuePrefix: string,
    readonly db: Pool,
    private readonly options: WorldOptions,
  ) {
    this.logDirectory = join(tmpdir(), 'payments-faults', queuePrefix);
  }

  static async create(options: WorldOptions): Promise<FaultWorld> {
    // Gateways retry for about 90 s: long enough to outlast any outage a scenario causes.
    const asaas = new AsaasSimulator({ webhookAttempts: 60, webhookRetryDelayMs: 50, ...options.asaas });
    const mercadopago = new MercadoPagoSimulator({ webhookMaxAttempts: 60, webhookRetryDelayMs: 1500, ...options.mercadopago });
    const asaasProxy = new GatewayProxy(() => new URL(asaas.baseUrl).origin);
    const mercadopagoProxy = new GatewayProxy(() => new URL(mercadopago.baseUrl).origin);
    const events = new EventsEndpoint(SECRET);
    const runDatabase = process.env.TEST_DATABASE_NAME ?? `payments_test_${process.pid}`;
    let databaseUrl = options.databaseUrl;
    let ownsDatabase = false;
    try {
      await Promise.all([asaas.start(), mercadopago.start(), asaasProxy.start(), mercadopagoProxy.start(), events.start()]);
      if (!databaseUrl) {
        const name = `${runDatabase}_${options.name}`;
        await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
        databaseUrl = databaseUrlFor(name);
        ownsDatabase = true;
      }
    } catch (error) {
      await Promise.allSettled([asaas.stop(), mercadopago.stop(), asaasProxy.stop(), mercadopagoProxy.stop(), events.stop()]);
      throw error;
    }
    const db = new Pool({ connectionString: databaseUrl, max: 4 });
    // PostgreSQL restarts cut the pool's idle connections; the pool replaces them.
    db.on('error', () => undefined);
    const queuePrefix = `${process.env.QUEUE_PREFIX ?? 'payments_faults'}_${options.name}`;
    const world = new FaultWorld(options.name, asaas, mercadopago, asaasProxy, mercadopagoProxy, events, databaseUrl, options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', queuePrefix, db, options);
    world.ownsDatabase = ownsDatabase;
    return world;
  }

  get url(): string {
    if (!this.balancer) throw new Error('no service started yet');
    return this.balancer.url;
  }

  /** Starts the instances behind one balancer whose URL is PUBLIC_BASE_URL for all of them. */
  async startServices(specs: ServiceSpec[], options: { together?: boolean } = {}): Promise<ServiceProcess[]> {
    const ports = await Promise.all(specs.map(() => freePort()));
    const backends = specs.map((spec, index) => ({ spec, port: ports[index] })).filter(({ spec }) => spec.behindBalancer !== false);
    this.balancer = new LoadBalancer(backends.map(({ port }) => `http://127.0.0.1:${port}`));
    await this.balancer.start();
    const started = specs.map((spec, index) => new ServiceProcess(spec.name, ports[index], this.serviceEnv(spec.role ?? 'all'), this.logDirectory));
    this.services.push(...started);
    // One at a time by default (two cold ts-node starts on two cores are slower together); `together` races them,
    // migrations included, as a deploy of several instances does.
    if (options.together) await Promise.all(started.map((service) => service.start()));
    else for (const service of started) await service.start();
    return started;
  }

  serviceEnv(role: 'api' | 'worker' | 'all'): Record<string, string> {
    return {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'warn',
      AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET!,
      CREDENTIALS_ENCRYPTION_KEY: process.env.CREDENTIALS_ENCRYPTION_KEY!,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: this.queuePrefix,
      PUBLIC_BASE_URL: this.balancer!.url,
      ASAAS_SANDBOX_URL: this.asaasProxy.via(this.asaas.baseUrl),
      ASAAS_PRODUCTION_URL: this.asaasProxy.via(this.asaas.baseUrl),
      MERCADOPAGO_API_URL: this.mercadopagoProxy.via(this.mercadopago.baseUrl),
      PLATFORM_EVENTS_URL: this.events.url,
      PLATFORM_EVENTS_SECRET: SECRET,
      OUTBOUND_RETRY_BASE_MS: String(this.options.outboundRetryBaseMs ?? 200),
      PROCESS_ROLE: role,
    };
  }

  // ------------------------------------------------------------------------------------------------------------
  // Driving the service

  async setUpAccount(provider: Provider): Promise<Account> {
    const accountId = `acc_${this.name}_${Math.random().toString(36).slice(2, 10)}`;
    const enabled = await api(this.url, 'PUT', `/v1/operator/accounts/${accountId}/payments-module`, { auth: bearer('operator'), body: { enabled: true } });
    if (enabled.status !== 200) throw new Error(`enabling ${accountId}: ${enabled.status} ${JSON.stringify(enabled.body)}`);
    const credentials = provider === 'asaas' ? this.asaas.createAccount().credentials : this.mercadopago.createAccount().credentials;
    const connected = await api(this.url, 'POST', '/v1/gateway-connections', { auth: bearer('admin', accountId), body: { provider, environment: 'sandbox', credentials } });
    if (connected.status !== 201) throw new Error(`connecting ${provider}: ${connected.status} ${JSON.stringify(connected.body)}`);
    return { accountId, connectionId: connected.body.id, provider };
  }

  createCharge(account: Account, options: { key?: string; amount?: number; methods?: string[]; body?: Record<string, unknown>; timeoutMs?: number } = {}): Promise<ApiResponse> {
    return api(this.url, 'POST', '/v1/charges', { auth: bearer('agent', account.accountId), body: options.body ?? chargeBody(options), idempotencyKey: options.key, timeoutMs: options.timeoutMs });
  }

  /** Creates a charge that must succeed now; returns its view. */
  async chargeOrFail(account: Account, options: { amount?: number; methods?: string[] } = {}): Promise<any> {
    const response = await this.createCharge(account, options);
    if (response.status !== 201) throw new Error(`creating a charge: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  refund(account: Account, chargeId: string, amount: number, key: string): Promise<ApiResponse> {
    return api(this.url, 'POST', `/v1/charges/${chargeId}/refunds`, { auth: bearer('admin', account.accountId), body: { amount, reason: 'fault test' }, idempotencyKey: key });
  }

  /** The single gateway payment of a pix-only charge. */
  gatewayPaymentId(provider: Provider, chargeId: string): string {
    const matches = this.gatewayObjects(provider, chargeId);
    if (matches.length !== 1) throw new Error(`expected one gateway payment for ${chargeId}, found ${matches.length}`);
    return matches[0];
  }

  /** Gateway objects (payments and checkout preferences) created under the charge's reference. */
  gatewayObjects(provider: Provider, chargeId: string): string[] {
    if (provider === 'asaas') return this.asaas.payments().filter((payment) => payment.externalReference === chargeId).map((payment) => payment.id);
    return [
      ...this.mercadopago.payments().filter((payment) => payment.externalReference === chargeId).map((payment) => payment.id),
      ...this.mercadopago.preferences().filter((preference) => preference.externalReference === chargeId).map((preference) => preference.id),
    ];
  }

  pay(provider: Provider, chargeId: string): Promise<void> {
    const sim = provider === 'asaas' ? this.asaas : this.mercadopago;
    return sim.pay(this.gatewayPaymentId(provider, chargeId), { method: 'pix' });
  }

  /** A Bull queue of the service (same Redis and prefix), to inspect it or add a job as a schedule would. */
  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Bull(name, { prefix: this.queuePrefix, redis: this.redisUrl });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Runs a scheduled job now (what its next period would do) and waits for its result. */
  async runJobNow(queueName: string, jobName: string, timeoutMs = 60_000): Promise<unknown> {
    // Polled, and kept until read: Bull's job.finished() can miss a job that completes (and is removed) at once.
    const queue = this.queue(queueName);
    const job = await queue.add(jobName, {}, { removeOnComplete: false, removeOnFail: false });
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const current = await queue.getJob(job.id);
        const state = await current?.getState();
        if (state === 'completed') return current!.returnvalue;
        if (state === 'failed') throw new Error(`${queueName}:${jobName} failed: ${current!.failedReason}`);
        if (Date.now() > deadline) throw new Error(`${queueName}:${jobName} did not finish within ${timeoutMs} ms (state ${state})\n${this.describe()}`);
        await sleep(100);
      }
    } finally {
      await job.remove().catch(() => undefined);
    }
  }

  async query<T = any>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, parameters)).rows as T[];
  }

  /** Polls until `check` returns true (errors count as "not yet": a dependency may be restarting). */
  async eventually(description: string, check: () => Promise<boolean | string>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const result = await check();
        if (result === true) return;
        last = typeof result === 'string' ? result : 'false';
      } catch (error) {
        last = `error: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (Date.now() > deadline) throw new Error(`${description}: not reached within ${timeoutMs} ms (last: ${last})\n${this.describe()}`);
      await sleep(250);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // The end state every scenario must reach

  /** Waits until nothing is in flight for these accounts: no pending charge, no unprocessed webhook, no undelivered event. */
  async settle(accounts: Account[], timeoutMs: number): Promise<void> {
    const ids = accounts.map((account) => account.accountId);
    await this.eventually('no charge left pending', async () => {
      const rows = await this.query(`SELECT id FROM charges WHERE account_id = ANY($1) AND status = 'pending'`, [ids]);
      return rows.length === 0 || `${rows.length} pending`;
    }, timeoutMs);
    await this.eventually('every delivered webhook stored and processed', async () => {
      const missing = await this.unprocessedWebhooks(accounts);
      return missing.length === 0 || `${missing.length} not processed: ${missing.slice(0, 3).join(', ')}`;
    }, timeoutMs);
    await this.eventually('every outbound event delivered', async () => {
      const rows = await this.query(`SELECT status, count(*)::int AS n FROM outbound_events WHERE account_id = ANY($1) AND status <> 'delivered' GROUP BY status`, [ids]);
      return rows.length === 0 || JSON.stringify(rows);
    }, timeoutMs);
  }

  /** Asserts the end state: each charge created once at the gateway, paid and refunded once, every event out once. */
  async expectConverged(expected: Convergence): Promise<void> {
    const problems: string[] = [];
    const accountIds = expected.accounts.map((account) => account.accountId);
    const charges = await this.query(`SELECT id, status, total::float8 AS total, amount_paid::float8 AS paid, amount_refunded::float8 AS refunded FROM charges WHERE account_id = ANY($1)`, [accountIds]);
    const byId = new Map(charges.map((row) => [row.id, row]));
    const eventCounts = await this.query(
      `SELECT coalesce(data->'charge'->>'id', data->>'chargeId') AS charge_id, type, count(*)::int AS n FROM outbound_events WHERE account_id = ANY($1) GROUP BY 1, 2`,
      [accountIds],
    );
    const eventsOf = (chargeId: string, type: string) => eventCounts.find((row) => row.charge_id === chargeId && row.type === type)?.n ?? 0;
    const payments = await this.query(`SELECT charge_id, sum(amount_received)::float8 AS received, count(*)::int AS n FROM payments WHERE account_id = ANY($1) GROUP BY charge_id`, [accountIds]);
    const refunds = await this.query(`SELECT charge_id, sum(amount)::float8 AS total, count(*)::int AS n FROM refunds WHERE account_id = ANY($1) AND status = 'succeeded' GROUP BY charge_id`, [accountIds]);

    for (const charge of expected.charges) {
      const row = byId.get(charge.id);
      if (!row) {
        problems.push(`charge ${charge.id} does not exist`);
        continue;
      }
      const objects = this.gatewayObjects(charge.provider, charge.id);
      if (charge.gatewayObjects !== null && objects.length !== (charge.gatewayObjects ?? 1)) problems.push(`charge ${charge.id}: ${objects.length} gateway objects (expected ${charge.gatewayObjects ?? 1}): ${objects.join(', ')}`);
      if (row.status !== charge.status) problems.push(`charge ${charge.id}: status ${row.status}, expected ${charge.status}`);
      if (eventsOf(charge.id, 'charge.awaiting_payment') !== 1) problems.push(`charge ${charge.id}: ${eventsOf(charge.id, 'charge.awaiting_payment')} charge.awaiting_payment events`);
      const paid = charge.amountPaid ?? 0;
      if (row.paid !== paid) problems.push(`charge ${charge.id}: amount_paid ${row.paid}, expected ${paid}`);
      const received = payments.find((payment) => payment.charge_id === charge.id)?.received ?? 0;
      if (received !== paid) problems.push(`charge ${charge.id}: payments received ${received}, expected ${paid}`);
      if (eventsOf(charge.id, 'charge.paid') !== (paid > 0 ? 1 : 0)) problems.push(`charge ${charge.id}: ${eventsOf(charge.id, 'charge.paid')} charge.paid events`);
      const refunded = charge.amountRefunded ?? 0;
      const refundRows = refunds.find((refund) => refund.charge_id === charge.id);
      if (row.refunded !== refunded || (refundRows?.total ?? 0) !== refunded) problems.push(`charge ${charge.id}: amount_refunded ${row.refunded}, succeeded refunds ${refundRows?.total ?? 0}, expected ${refunded}`);
      if (eventsOf(charge.id, 'refund.succeeded') !== (refundRows?.n ?? 0)) problems.push(`charge ${charge.id}: ${eventsOf(charge.id, 'refund.succeeded')} refund.succeeded events for ${refundRows?.n ?? 0} refunds`);
      if (refunded > 0) {
        const atGateway = this.gatewayRefunded(charge.provider, charge.id);
        if (atGateway !== refunded) problems.push(`charge ${charge.id}: the gateway refunded ${atGateway}, expected ${refunded}`);
      }
    }

    const unprocessed = await this.unprocessedWebhooks(expected.accounts);
    if (unprocessed.length > 0) problems.push(`webhooks not stored or not processed: ${unprocessed.join(', ')}`);
    problems.push(...(await this.eventDeliveryProblems(accountIds, expected.eventDelivery)));

    const ledger = await this.checkLedger();
    if (ledger.status !== 0) problems.push(`npm run check:ledger exited ${ledger.status}:\n${ledger.output}`);
    if (problems.length > 0) throw new Error(`the service did not converge to exactly-once:\n- ${problems.join('\n- ')}\n${this.describe()}`);
  }

  /** `npm run check:ledger` as an operator runs it, on this world's database. */
  checkLedger(): Promise<{ status: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/check-ledger.ts'], {
        cwd: REPOSITORY_ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: this.databaseUrl },
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, output });
      });
    });
  }

  /** One line for the CI log: what the scenario went through. */
  async summary(label: string): Promise<string> {
    const counts = await this.query(
      `SELECT (SELECT count(*) FROM charges)::int AS charges, (SELECT count(*) FROM webhook_events)::int AS webhooks,
              (SELECT count(*) FROM outbound_events)::int AS events, (SELECT count(*) FROM refunds)::int AS refunds`,
    );
    const accepted = this.events.acceptedCounts();
    const duplicates = [...accepted.values()].filter((count) => count > 1).length;
    const held = [this.asaasProxy, this.mercadopagoProxy].flatMap((proxy) => proxy.log).filter((entry) => entry.outcome !== 'passed').length;
    const webhookAttempts = this.asaas.deliveries().length + this.mercadopago.deliveries().length;
    const line = `[faults] ${label}: ${counts[0].charges} charges, ${counts[0].refunds} refunds, ${counts[0].webhooks} webhooks stored (${webhookAttempts} delivery attempts), ` +
      `${counts[0].events} outbound events (${this.events.failedAttempts()} failed attempts, ${duplicates} delivered twice), ${held} gateway calls held or faulted`;
    process.stdout.write(`${line}\n`);
    return line;
  }

  /** What the services, the proxies and the endpoint saw: appended to every failure. */
  describe(): string {
    const proxies = [this.asaasProxy, this.mercadopagoProxy].flatMap((proxy) => proxy.log.filter((entry) => entry.outcome !== 'passed')).map((entry) => `${entry.method} ${entry.path}: ${entry.outcome} (${entry.status})`);
    const accepted = this.events.acceptedCounts();
    return [
      ...this.services.map((service) => service.describe()),
      `--- gateway proxies (held requests): ${proxies.join('; ') || 'none'}`,
      `--- events endpoint: ${this.events.attempts.length} attempts, ${accepted.size} events accepted, ${[...accepted.values()].filter((n) => n > 1).length} accepted more than once`,
    ].join('\n');
  }

  async close(): Promise<void> {
    // The Asaas simulator's stop waits for deliveries in flight: end them while the services still answer.
    this.asaas.setWebhookDelivery(false);
    this.mercadopago.setWebhookDelivery(false);
    this.asaasProxy.releaseAll();
    this.mercadopagoProxy.releaseAll();
    await Promise.allSettled([this.asaas.stop(), this.mercadopago.stop()]);
    for (const service of this.services) await service.kill9();
    for (const queue of this.queues.values()) await queue.close().catch(() => undefined);
    await this.balancer?.stop();
    await Promise.all([this.asaasProxy.stop(), this.mercadopagoProxy.stop(), this.events.stop()]);
    await this.db.end().catch(() => undefined);
    await deleteKeys(this.redisUrl, this.queuePrefix).catch(() => undefined);
    if (this.ownsDatabase && !process.env.KEEP_TEST_DATABASE) {
      const name = new URL(this.databaseUrl).pathname.slice(1);
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => undefined);
    }
  }

  // ------------------------------------------------------------------------------------------------------------

  /** Every event a simulator tried to deliver to these connections must be in the inbox, processed or ignored. */
  private async unprocessedWebhooks(accounts: Account[]): Promise<string[]> {
    const delivered = new Map<string, Set<string>>();
    const collect = (url: string, body: string) => {
      const connection = accounts.find((account) => url.includes(`/webhooks/${account.provider}/${account.connectionId}`));
      if (!connection) return;
      const id = String(JSON.parse(body).id);
      if (!delivered.has(connection.connectionId)) delivered.set(connection.connectionId, new Set());
      delivered.get(connection.connectionId)!.add(id);
    };
    for (const delivery of [...this.asaas.deliveries(), ...this.mercadopago.deliveries()]) collect(delivery.url, delivery.body);
    const rows = await this.query(`SELECT connection_id, provider_event_id, status FROM webhook_events WHERE account_id = ANY($1)`, [accounts.map((account) => account.accountId)]);
    const done = new Set(rows.filter((row) => row.status === 'processed' || row.status === 'ignored').map((row) => `${row.connection_id}/${row.provider_event_id}`));
    const missing: string[] = [];
    for (const [connectionId, ids] of delivered) for (const id of ids) if (!done.has(`${connectionId}/${id}`)) missing.push(`${id} (${rows.find((row) => row.provider_event_id === id)?.status ?? 'not stored'})`);
    return missing;
  }

  private async eventDeliveryProblems(accountIds: string[], mode: Convergence['eventDelivery']): Promise<string[]> {
    const problems: string[] = [];
    const rows = await this.query(`SELECT id, type, status FROM outbound_events WHERE account_id = ANY($1)`, [accountIds]);
    const accepted = this.events.acceptedCounts();
    for (const row of rows) {
      const times = accepted.get(row.id) ?? 0;
      if (row.status !== 'delivered') problems.push(`event ${row.id} (${row.type}) is ${row.status}`);
      if (times === 0) problems.push(`event ${row.id} (${row.type}) never reached the platform`);
      if (times > 1 && mode === 'exactly-once') problems.push(`event ${row.id} (${row.type}) reached the platform ${times} times`);
    }
    const known = new Set(rows.map((row) => row.id));
    const strangers = this.events.attempts.filter((attempt) => accountIds.includes(attempt.accountId) && !known.has(attempt.id));
    if (strangers.length > 0) problems.push(`the platform received ${strangers.length} events that are not in the outbox`);
    if (this.events.attempts.some((attempt) => !attempt.signatureValid)) problems.push('an event arrived with an invalid signature');
    return problems;
  }

  private gatewayRefunded(provider: Provider, chargeId: string): number {
    const payments = provider === 'asaas' ? this.asaas.payments() : this.mercadopago.payments();
    return payments.filter((payment) => payment.externalReference === chargeId).reduce((total, payment) => total + Number(payment.amountRefunded), 0);
  }
}
