/**
 * npm run demo: the main job end to end on this machine, with nothing but Node and a Redis.
 *
 * Starts the Asaas simulator and a tiny platform receiver in this process, builds (when needed) and starts the
 * real service as `npm start` does (embedded PostgreSQL in .data/demo-postgres), then walks through: enable
 * the module, connect an Asaas sandbox, catalog product, PIX charge with a discount, send it into a
 * conversation, pay it, watch it become paid, refund part, and the account's numbers. Everything it starts is
 * stopped at the end, on failure and on Ctrl+C.
 */
import Big from 'big.js';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import { AsaasSimulator } from '../test/simulators/asaas/asaas-simulator';
import { Api } from './api';
import { DemoPlatformReceiver, ReceivedEvent } from './receiver';
import { claimRun, releaseRun, updateRun } from './run-state';
import { build, buildReason, DemoFailure, embeddedPostgresPort, freePort, postgresStopped, ServiceProcess, sleep, stopLeftoverService, stopPostgres } from './service';

const ROOT = resolve(__dirname, '..');
const POSTGRES_DIR = '.data/demo-postgres';
const POSTGRES_PREFERRED_PORT = 54339;
const LOG_FILE = join(ROOT, '.data', 'demo-service.log');
const RUN_FILE = join(ROOT, '.data', 'demo-run.json');
const CONVERSATION_ID = 'demo-conversation';
const CUSTOMER = { name: 'Maria Souza', cpfCnpj: '24971563792', email: 'maria.souza@example.com', phone: '47998781877' };
const PRODUCT = { name: 'Consulta nutricional', unitPrice: 180.0 };
const DISCOUNT_PERCENT = 10;
const REFUND_AMOUNT = 50.0;
const TOTAL_STEPS = 9;

const startedAt = Date.now();
const runId = `${timestamp()}-${randomBytes(2).toString('hex')}`;
const accountId = `demo-${runId}`;
const jwtSecret = `demo-jwt-secret-${randomBytes(12).toString('hex')}`;
const eventsSecret = `demo-events-secret-${randomBytes(12).toString('hex')}`;
const conversationToken = `demo-conversation-token-${randomBytes(8).toString('hex')}`;
const queuePrefix = `payments-demo-${runId}`;

const simulator = new AsaasSimulator({ webhookAttempts: 3, webhookRetryDelayMs: 200 });
const receiver = new DemoPlatformReceiver(eventsSecret, conversationToken);
let service: ServiceProcess | null = null;
/** A PostgreSQL an interrupted earlier run left on the demo's data folder: reused, and stopped at the end. */
let leftoverPostgresPid: number | null = null;
let runClaimed = false;
let currentStep = 'start-up';
let stepNumber = 0;

// ---------------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------------

const say = (line = '') => console.log(line);
const info = (line: string) => say(`   ${line}`);
const ok = (line: string) => say(`   ✓ ${line}`);
const http = (method: string, path: string, status: number, note = '') => say(`   → ${method} ${path}  ${status}${note ? `  ${note}` : ''}`);
const quote = (text: string) => text.split('\n').forEach((line) => say(`   │ ${line}`));

function brl(amount: Big.BigSource): string {
  const [whole, cents] = new Big(amount).abs().toFixed(2).split('.');
  const sign = new Big(amount).lt(0) ? '-' : '';
  return `${sign}R$ ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${cents}`;
}

function ptDate(isoDate: string): string {
  const [year, month, day] = isoDate.slice(0, 10).split('-');
  return `${day}/${month}/${year}`;
}

function seconds(fromMs: number): string {
  return `${((Date.now() - fromMs) / 1000).toFixed(1)} s`;
}

async function step<T>(title: string, work: () => Promise<T>): Promise<T> {
  stepNumber += 1;
  currentStep = `${stepNumber}/${TOTAL_STEPS} ${title}`;
  say();
  say(`[${stepNumber}/${TOTAL_STEPS}] ${title}`);
  return work();
}

// ---------------------------------------------------------------------------------------------------------
// The walk-through
// ---------------------------------------------------------------------------------------------------------

async function walkThrough(): Promise<void> {
  say('Payments module demo: one PIX charge from the catalog to a partial refund, on this machine.');
  say(`Run ${runId} · account "${accountId}" · service log: ${relative(process.cwd(), LOG_FILE) || LOG_FILE}`);

  const api = await step('Start the gateway simulator, the platform receiver and the service', startEverything);

  await step('Enable the Payments module for the account (operator)', async () => {
    const before = await api.get('/v1/account', 'admin', [403]);
    http('GET', '/v1/account', before.status, `${before.body.error.code} (every account starts with the module off)`);
    const enabled = await api.put(`/v1/operator/accounts/${accountId}/payments-module`, 'operator', { enabled: true });
    http('PUT', `/v1/operator/accounts/${accountId}/payments-module {"enabled": true}`, enabled.status);
    const account = await api.get('/v1/account', 'admin');
    http('GET', '/v1/account', account.status);
    ok(`paymentsEnabled = ${account.body.paymentsEnabled}`);
  });

  const connection = await step('Connect an Asaas sandbox account (admin)', async () => {
    const asaasAccount = simulator.createAccount({ name: 'Clinica Bem Nutrir' });
    info(`Asaas sandbox account "Clinica Bem Nutrir" created in the simulator; API key ${mask(asaasAccount.credentials.apiKey ?? '')}`);
    const created = await api.post('/v1/gateway-connections', 'admin', {
      provider: 'asaas',
      environment: 'sandbox',
      label: 'Asaas sandbox (demo)',
      credentials: { apiKey: asaasAccount.credentials.apiKey },
    });
    http('POST', '/v1/gateway-connections', created.status, `id ${created.body.id}`);
    ok(`status ${created.body.status}; payment methods ${created.body.paymentMethods.join(', ')}; the API key is stored encrypted and never returned`);
    ok(`webhook registered with Asaas: ${created.body.webhookUrl}`);
    const hooks = await fetch(`${simulator.baseUrl}/webhooks`, { headers: { access_token: String(asaasAccount.credentials.apiKey) } }).then((response) => response.json() as Promise<{ data: Array<{ url: string; enabled: boolean }> }>);
    const registered = hooks.data.find((hook) => hook.url === created.body.webhookUrl);
    if (!registered) throw new DemoFailure(`the simulator has no webhook for ${created.body.webhookUrl}`, [JSON.stringify(hooks.data)]);
    ok(`the simulator confirms it (GET /v3/webhooks: enabled = ${registered.enabled})`);
    return created.body as { id: string };
  });

  const product = await step(`Add "${PRODUCT.name}" to the catalog (admin)`, async () => {
    const created = await api.post('/v1/products', 'admin', PRODUCT, { 'Idempotency-Key': `demo-product-${runId}` });
    http('POST', '/v1/products', created.status, `id ${created.body.id}`);
    ok(`${created.body.name}: ${brl(created.body.unitPrice)}`);
    return created.body as { id: string };
  });

  const charge = await step(`Create a PIX charge from the catalog with ${DISCOUNT_PERCENT}% off (agent)`, async () => {
    const body = {
      customer: CUSTOMER,
      items: [{ productId: product.id, quantity: 1 }],
      discount: { type: 'percentage', value: DISCOUNT_PERCENT },
      dueDate: todayInSaoPauloPlus(3),
      paymentMethods: ['pix'],
      gatewayConnectionId: connection.id,
      conversationId: CONVERSATION_ID,
      description: 'Consulta nutricional de retorno',
    };
    const key = `demo-charge-${runId}`;
    const created = await api.post('/v1/charges', 'agent', body, { 'Idempotency-Key': key });
    const view = created.body;
    http('POST', '/v1/charges', created.status, `Idempotency-Key ${key}`);
    ok(`charge nº ${view.number} (${view.id}) for ${CUSTOMER.name}, CPF ${CUSTOMER.cpfCnpj}: ${view.status}`);
    info(`subtotal  ${brl(view.subtotal).padStart(12)}   (1 × ${PRODUCT.name})`);
    info(`discount  ${brl(-view.discountAmount).padStart(12)}   (${DISCOUNT_PERCENT}%)`);
    info(`total     ${brl(view.total).padStart(12)}   due ${ptDate(view.dueDate)}`);
    info(`PIX copy-and-paste (expires ${view.pix.expiresAt ? ptDate(view.pix.expiresAt) : 'n/a'}):`);
    info(`  ${view.pix.copyPaste}`);
    const replay = await api.post('/v1/charges', 'agent', body, { 'Idempotency-Key': key });
    ok(`the same request again answers the same charge (Idempotent-Replayed: ${replay.headers.get('idempotent-replayed')}, id ${replay.body.id === view.id ? 'unchanged' : 'DIFFERENT'})`);
    if (replay.body.id !== view.id) throw new DemoFailure('the idempotent replay created another charge');
    return view as { id: string; number: number; customerId: string; total: number };
  });

  await step(`Send it into conversation "${CONVERSATION_ID}" (agent)`, async () => {
    const sent = await api.post(`/v1/charges/${charge.id}/send`, 'agent', { conversationId: CONVERSATION_ID });
    http('POST', `/v1/charges/${charge.id}/send`, sent.status, `platform message id ${sent.body.platformMessageId}`);
    const message = receiver.messages.find((candidate) => candidate.body.metadata?.chargeId === charge.id);
    if (!message) throw new DemoFailure('the platform receiver got no message for the charge');
    ok(`the platform received POST /conversations/${message.conversationId}/messages (bearer token checked):`);
    quote(message.body.text);
    for (const attachment of message.body.attachments) {
      const png = Buffer.from(attachment.base64, 'base64');
      const isPng = png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      if (!isPng) throw new DemoFailure(`the ${attachment.mimeType} attachment is not a PNG`);
      ok(`attachment: ${attachment.mimeType} QR code, ${png.readUInt32BE(16)}×${png.readUInt32BE(20)} px, ${png.length} bytes`);
    }
    if (message.body.attachments.length === 0) throw new DemoFailure('the message carries no QR code image');
    for (const button of message.body.buttons) ok(`button "${button.label}" → ${button.url}`);
  });

  await step('The customer pays the PIX (through the simulator) and the charge becomes paid', async () => {
    const payments = (await fetch(`${simulator.origin}/_sim/payments`).then((response) => response.json())) as Array<{ id: string; externalReference: string | null; value: string }>;
    const payment = payments.find((candidate) => candidate.externalReference === charge.id);
    if (!payment) throw new DemoFailure(`the simulator has no payment with externalReference ${charge.id}`);
    info(`Asaas payment ${payment.id} (externalReference = the charge id), value ${brl(payment.value)}`);
    const paid = await fetch(`${simulator.origin}/_sim/payments/${payment.id}/pay`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ method: 'pix' }),
    });
    if (paid.status !== 200) throw new DemoFailure(`the simulator refused to pay: HTTP ${paid.status}`, [await paid.text()]);
    http('POST', `<simulator>/_sim/payments/${payment.id}/pay {"method": "pix"}`, paid.status, 'Asaas now sends PAYMENT_RECEIVED to the webhook URL');
    const waitStart = Date.now();
    const view = await waitForCharge(api, charge.id, (candidate) => candidate.status === 'paid', 'paid');
    ok(`GET /v1/charges/${charge.id}: ${view.status} after ${seconds(waitStart)}; amountPaid ${brl(view.amountPaid)}, balanceDue ${brl(view.balanceDue)}`);
    const webhooks = await api.all<{ eventType: string; status: string; chargeId: string | null }>('/v1/webhook-events', 'admin');
    const inbound = webhooks.filter((hook) => hook.chargeId === charge.id).map((hook) => `${hook.eventType} (${hook.status})`);
    ok(`webhooks the service took from Asaas for this charge: ${inbound.join(', ') || 'none listed'}`);
    const event = await receiver.waitForEvent('charge.paid', (candidate) => candidate.type === 'charge.paid' && candidate.data.charge?.id === charge.id);
    showEvent(event);
  });

  await step(`Refund ${brl(REFUND_AMOUNT)} of it (admin)`, async () => {
    const key = `demo-refund-${runId}`;
    const refund = await api.post(`/v1/charges/${charge.id}/refunds`, 'admin', { amount: REFUND_AMOUNT, reason: 'Desconto de fidelidade aplicado depois' }, { 'Idempotency-Key': key });
    http('POST', `/v1/charges/${charge.id}/refunds {"amount": ${REFUND_AMOUNT.toFixed(2)}}`, refund.status, `refund ${refund.body.id}: ${refund.body.status}`);
    const view = await waitForCharge(api, charge.id, (candidate) => candidate.status === 'partially_refunded' && new Big(candidate.amountRefunded).eq(REFUND_AMOUNT), 'partially_refunded');
    ok(`charge ${view.status}: paid ${brl(view.amountPaid)}, refunded ${brl(view.amountRefunded)}`);
    const refundEvent = await receiver.waitForEvent('refund.succeeded', (candidate) => candidate.type === 'refund.succeeded' && candidate.data.charge?.id === charge.id);
    showEvent(refundEvent, `amount ${brl(refundEvent.data.amount)}`);
    const chargeEvent = await receiver.waitForEvent('charge.partially_refunded', (candidate) => candidate.type === 'charge.partially_refunded' && candidate.data.charge?.id === charge.id);
    showEvent(chargeEvent);
  });

  await step("The account's numbers (from the API lists; viewer and admin)", async () => {
    const charges = await api.all<{ status: string; amountPaid: number; amountRefunded: number; balanceDue: number }>('/v1/charges', 'viewer');
    const byStatus = new Map<string, number>();
    for (const view of charges) byStatus.set(view.status, (byStatus.get(view.status) ?? 0) + 1);
    const received = charges.reduce((total, view) => total.plus(view.amountPaid), new Big(0));
    const refunded = charges.reduce((total, view) => total.plus(view.amountRefunded), new Big(0));
    const open = charges.reduce((total, view) => total.plus(view.balanceDue), new Big(0));
    const credits = await api.get(`/v1/customers/${charge.customerId}/credits`, 'viewer');
    // The receiver has every event; the service marks the last one delivered a moment after the 200.
    let events: Array<{ type: string; status: string }> = [];
    for (const deadline = Date.now() + 5000; ; await sleep(100)) {
      events = await api.all('/v1/events', 'admin');
      if (events.every((event) => event.status === 'delivered') || Date.now() > deadline) break;
    }
    events.reverse(); // the API lists newest first
    const delivered = events.filter((event) => event.status === 'delivered').length;
    info(`charges           ${charges.length}  (${[...byStatus].map(([status, count]) => `${status} ${count}`).join(', ')})`);
    info(`received          ${brl(received).padStart(12)}`);
    info(`refunded          ${brl(refunded.neg()).padStart(12)}`);
    info(`net               ${brl(received.minus(refunded)).padStart(12)}`);
    info(`still to receive  ${brl(open).padStart(12)}`);
    info(`customer credit   ${brl(credits.body.balance).padStart(12)}   (${CUSTOMER.name})`);
    info(`platform events   ${events.length} recorded, ${delivered} delivered: ${events.map((event) => event.type).join(', ')}`);
    const rejected = receiver.events.filter((event) => !event.signatureValid);
    if (rejected.length > 0) throw new DemoFailure(`${rejected.length} event(s) failed the signature check`, rejected.map((event) => `${event.type}: ${event.signatureProblem}`));
    const ours = receiver.events.filter((event) => event.accountId === accountId).length;
    // The database persists between runs: events an interrupted earlier run never delivered go out now.
    const older = receiver.events.length - ours;
    ok(`the receiver got ${receiver.messages.length} message and ${ours} events for this account, every signature valid${older ? ` (plus ${older} left undelivered by an earlier, interrupted run)` : ''}`);
    if (!received.eq(charge.total) || !refunded.eq(REFUND_AMOUNT)) throw new DemoFailure(`expected ${brl(charge.total)} received and ${brl(REFUND_AMOUNT)} refunded`);
  });
}

async function startEverything(): Promise<Api> {
  const previous = claimRun(RUN_FILE, { demoPid: process.pid, servicePid: null, queuePrefix, startedAt: new Date().toISOString() });
  runClaimed = true;
  if (previous) await tidyAfter(previous.servicePid, previous.queuePrefix);
  await Promise.all([simulator.start(), receiver.start()]);
  ok(`Asaas simulator      ${simulator.baseUrl}  (control API under ${simulator.origin}/_sim)`);
  ok(`platform receiver    ${receiver.url}  (POST /conversations/{id}/messages, POST /events with signature check)`);

  const reason = buildReason(ROOT);
  if (reason) {
    const buildStart = Date.now();
    info(`building the service: npm run build (${reason}) …`);
    await build(ROOT);
    ok(`built in ${seconds(buildStart)}`);
  } else {
    ok('dist/ is up to date with src/ (no build needed)');
  }

  const port = await freePort();
  const postgres = await embeddedPostgresPort(join(ROOT, POSTGRES_DIR), POSTGRES_PREFERRED_PORT);
  leftoverPostgresPid = postgres.leftoverPid;
  if (leftoverPostgresPid) info(`an embedded PostgreSQL left running by an interrupted run (pid ${leftoverPostgresPid}) is up on port ${postgres.port}: reusing it, stopping it at the end`);
  service = new ServiceProcess({
    root: ROOT,
    port,
    logFile: LOG_FILE,
    onSpawn: (pid) => updateRun(RUN_FILE, { servicePid: pid }),
    onProgress: (message) => info(`  service: ${message}`),
    env: {
      NODE_ENV: 'development',
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      EMBEDDED_POSTGRES_DIR: POSTGRES_DIR,
      EMBEDDED_POSTGRES_PORT: String(postgres.port),
      ASAAS_SANDBOX_URL: simulator.baseUrl,
      PLATFORM_EVENTS_URL: receiver.eventsUrl,
      PLATFORM_EVENTS_SECRET: eventsSecret,
      CONVERSATION_API_URL: receiver.url,
      CONVERSATION_API_TOKEN: conversationToken,
      OUTBOUND_RETRY_BASE_MS: '200',
      AUTH_JWT_SECRET: jwtSecret,
      QUEUE_PREFIX: queuePrefix,
      PROCESS_ROLE: 'all',
      LOG_LEVEL: 'info',
    },
  });
  const serviceStart = Date.now();
  info(`starting the service: node dist/src/main.js on port ${port} (embedded PostgreSQL in ${POSTGRES_DIR}, port ${postgres.port}; Redis ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}; Bull prefix ${queuePrefix})`);
  service.start();
  info(`waiting for GET http://127.0.0.1:${port}/health to answer 200 …`);
  const checks = await service.waitUntilHealthy(90_000);
  ok(`service healthy after ${seconds(serviceStart)}: ${Object.entries(checks).map(([name, state]) => `${name} ${state}`).join(', ')}  (API docs: http://127.0.0.1:${port}/docs)`);
  return new Api(service.baseUrl, jwtSecret, accountId);
}

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

async function waitForCharge(api: Api, chargeId: string, done: (view: any) => boolean, wanted: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any = null;
  while (Date.now() < deadline) {
    last = (await api.get(`/v1/charges/${chargeId}`, 'viewer')).body;
    if (done(last)) return last;
    await sleep(150);
  }
  throw new DemoFailure(`the charge did not become ${wanted} within ${timeoutMs / 1000} s (it is ${last?.status})`);
}

function showEvent(event: ReceivedEvent, extra = ''): void {
  const verdict = event.signatureValid ? 'X-Payments-Signature verified' : `SIGNATURE REJECTED (${event.signatureProblem})`;
  const charge = event.data.charge ?? {};
  ok(`event ${event.type} reached the platform (${verdict}): id ${event.id}, charge nº ${charge.number} ${charge.status}${extra ? `, ${extra}` : ''}`);
}

function mask(secret: string): string {
  return secret.length > 16 ? `${secret.slice(0, 11)}…${secret.slice(-4)}` : '…';
}

function todayInSaoPauloPlus(days: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + days * 86_400_000));
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

// ---------------------------------------------------------------------------------------------------------
// Shutdown: service first (it may be talking to the others), then the simulator and the receiver.
// ---------------------------------------------------------------------------------------------------------

let cleanupPromise: Promise<boolean> | null = null;

function cleanUp(): Promise<boolean> {
  cleanupPromise ??= (async () => {
    say();
    say('Shutting down');
    let clean = true;
    if (service) {
      const stopStart = Date.now();
      const stopped = await service.stop();
      if (stopped.forced) {
        clean = false;
        say(`   ✗ the service did not stop within 20 s of SIGTERM and was killed`);
      } else if (stopped.alreadyExited) {
        info(`the service had already stopped (${stopped.exit})`);
      } else if (stopped.code === 0) {
        ok(`service stopped by SIGTERM in ${seconds(stopStart)} (exit 0)`);
      } else {
        // 143 = 128 + SIGTERM: embedded-postgres's own exit hook (async-exit-hook) ends the process itself.
        ok(`service stopped by SIGTERM in ${seconds(stopStart)} (${stopped.exit}${stopped.code === 143 ? ": embedded-postgres's exit hook ended the process" : ''})`);
      }
      if (leftoverPostgresPid && (await stopPostgres(leftoverPostgresPid))) ok(`stopped the PostgreSQL left by an earlier run (pid ${leftoverPostgresPid})`);
      if (await postgresStopped(join(ROOT, POSTGRES_DIR))) {
        ok(`embedded PostgreSQL stopped (${POSTGRES_DIR} kept for the next run)`);
      } else {
        clean = false;
        say(`   ✗ a PostgreSQL is still running on ${POSTGRES_DIR} (see its postmaster.pid)`);
      }
    }
    await simulator.stop().then(() => ok('Asaas simulator stopped'), (error: unknown) => info(`simulator stop: ${String(error)}`));
    await receiver.stop().then(() => ok('platform receiver stopped'));
    const removed = service ? await removeQueueKeys(queuePrefix) : null;
    if (removed !== null) ok(`removed ${removed} Redis key(s) under the run's Bull prefix ${queuePrefix}`);
    if (service && service.errorLines.length > 0) {
      say(`   ! the service logged ${service.errorLines.length} error line(s) during the run (see ${relative(process.cwd(), LOG_FILE)}), e.g.:`);
      say(`     ${service.errorLines[0].slice(0, 300)}`);
    }
    if (runClaimed) releaseRun(RUN_FILE);
    return clean;
  })();
  return cleanupPromise;
}

/** An earlier run that was killed (no clean-up) may have left its service running and its Bull keys in Redis. */
async function tidyAfter(servicePid: number | null, previousPrefix: string): Promise<void> {
  if (servicePid && (await stopLeftoverService(servicePid))) info(`stopped the service a killed earlier run left running (pid ${servicePid})`);
  const removed = await removeQueueKeys(previousPrefix);
  if (removed) info(`removed ${removed} Redis key(s) a killed earlier run left under ${previousPrefix}`);
}

/** A run's Bull keys (its prefix is unique to the run) would otherwise stay in the developer's Redis. */
async function removeQueueKeys(prefix: string): Promise<number | null> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) return;
    interrupted = true;
    say();
    say(`✗ Interrupted during step ${currentStep}; cleaning up …`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  process.on('SIGHUP', onInterrupt);
  const onCrash = (error: unknown) => {
    say();
    say(`✗ Unexpected error during step ${currentStep}: ${error instanceof Error ? error.stack : String(error)}`);
    void cleanUp().finally(() => process.exit(1));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  let failure: unknown = null;
  try {
    await walkThrough();
  } catch (error) {
    failure = error;
  }
  if (interrupted) return;
  if (failure) {
    say();
    say(`✗ Step ${currentStep} failed: ${failure instanceof Error ? failure.message : String(failure)}`);
    if (failure instanceof DemoFailure) failure.details.forEach((line) => say(`     ${line}`));
    else if (failure instanceof Error && failure.stack) say(failure.stack.split('\n').slice(1, 6).join('\n'));
    if (service && failure instanceof DemoFailure && !failure.details.length) {
      say(`   last lines of the service log (${relative(process.cwd(), LOG_FILE)}):`);
      service.recentOutput().slice(-10).forEach((line) => say(`     ${line}`));
    }
  }
  const clean = await cleanUp();
  say();
  if (failure) {
    say(`Demo FAILED after ${seconds(startedAt)}.`);
    process.exit(1);
  }
  say(`Demo finished in ${seconds(startedAt)}${clean ? '' : ' (with shutdown warnings)'}. Next: npm start, then open http://localhost:3000/docs`);
  process.exit(clean ? 0 : 1);
}

void main();
