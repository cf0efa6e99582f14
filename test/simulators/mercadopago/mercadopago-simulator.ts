import { bankBoletoBarcode, digitableLineFromBarcode } from '../../../src/gateways/shared/boleto';
import { qrCodePng } from '../shared/qr-png';
import http, { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import Big from 'big.js';
import { createStaticPix, hasError } from 'pix-utils';
import { isValidCnpj, isValidCpf } from '@brazilian-utils/brazilian-utils';
import { formatInTimeZone } from 'date-fns-tz';
import { signMercadoPagoNotification } from '../../../src/gateways/mercadopago/mercadopago-signature';
import type {
  MpErrorBody,
  MpNotificationBody,
  MpPayment,
  MpPreference,
  MpPreferenceSummary,
  MpRefund,
} from '../../../src/gateways/mercadopago/mercadopago.types';
import { GatewaySimulator, SimulatedAccount, SimulatedDelivery, SimulatedPayment, SimulatedRequest } from '../gateway-simulator';

/**
 * Local Mercado Pago API v1 double. Shapes follow the official SDK fixtures in
 * shared/reference/gateways/mercadopago (payment_pix, payment_boleto, refund_base, preference_base,
 * user_base, payment_card_token_error) and the Webhooks docs (notification body, query and x-signature).
 *
 * Endpoints: GET /users/me · POST /v1/payments · GET /v1/payments/search · GET|PUT /v1/payments/{id} ·
 * POST|GET /v1/payments/{id}/refunds · POST /checkout/preferences · GET /checkout/preferences/search ·
 * GET|PUT /checkout/preferences/{id}. Control: /_sim/... (no auth).
 */
export interface MercadoPagoSimulatorOptions {
  /**
   * Mercado Pago requires the payer address on boleto payments since 2024. The gateway contract carries
   * no address yet, so this is off by default; turn it on to reproduce the real rejection.
   */
  requireBoletoPayerAddress?: boolean;
  /** Send `payment.created` when a payment is created through the API, as Mercado Pago does (default true). */
  notifyOnCreate?: boolean;
  /** Delivery attempts per notification, first included (default 3). */
  webhookMaxAttempts?: number;
  /** Delay between delivery attempts (default 100 ms). */
  webhookRetryDelayMs?: number;
  webhookTimeoutMs?: number;
}

export interface SimulatedPreference {
  id: string;
  accountId: string;
  externalReference: string | null;
  amount: string;
  expires: boolean;
  expirationDateTo: string | null;
}

type Json = Record<string, unknown>;
type SimPayment = MpPayment & Json;
type SimPreference = MpPreference & Json;
type SimRefund = MpRefund & Json;
type NotificationAction = 'payment.created' | 'payment.updated';

interface Account {
  id: string;
  name: string;
  nickname: string;
  accessToken: string;
  webhookSecret: string;
  pixKey: string;
}

interface StoredPayment {
  accountId: string;
  createdAt: number;
  json: SimPayment;
}

interface StoredPreference {
  accountId: string;
  createdAt: number;
  json: SimPreference;
}

interface Reply {
  status: number;
  body: unknown;
}

interface ApiRequest {
  account: Account;
  url: URL;
  params: string[];
  body: unknown;
  headers: IncomingHttpHeaders;
}

interface ControlRequest {
  url: URL;
  params: string[];
  body: unknown;
}

interface Route<R> {
  method: string;
  pattern: RegExp;
  handle: (request: R) => Reply | Promise<Reply>;
}

interface FailureRule {
  remaining: number;
  status: number;
  pathPattern?: RegExp;
}

/** A control operation that cannot be applied (unknown id, wrong state). */
export class SimulatorError extends Error {
  constructor(
    message: string,
    readonly status = 409,
  ) {
    super(message);
  }
}

const SAO_PAULO = 'America/Sao_Paulo';
const MP_TIMESTAMP = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
const BOLETO_BASE_DATE = Date.UTC(1997, 9, 7);
const DAY_MS = 86_400_000;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const PAYABLE_STATUSES = ['pending', 'in_process', 'authorized'];
const REFUNDABLE_STATUSES = ['approved'];

export class MercadoPagoSimulator implements GatewaySimulator {
  readonly provider = 'mercadopago' as const;
  private server: http.Server | null = null;
  private url = '';
  private readonly options: Required<MercadoPagoSimulatorOptions>;

  private readonly accountsByToken = new Map<string, Account>();
  private readonly accountsById = new Map<string, Account>();
  private readonly paymentStore = new Map<string, StoredPayment>();
  private readonly preferenceStore = new Map<string, StoredPreference>();
  private readonly idempotentResults = new Map<string, () => Reply>();
  private requestLog: SimulatedRequest[] = [];
  private deliveryLog: SimulatedDelivery[] = [];
  private failureRules: FailureRule[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private latencyMs = 0;
  private webhookDeliveryEnabled = true;
  private sequence = { account: 1_036_739_580, payment: 1_311_781_516, refund: 1_245_678_203, notification: 12_345, order: 8_000_000_000 };

  private readonly apiRoutes: Route<ApiRequest>[] = [
    { method: 'GET', pattern: /^\/users\/me$/, handle: (r) => this.getUser(r) },
    { method: 'GET', pattern: /^\/v1\/payments\/search$/, handle: (r) => this.searchPayments(r) },
    { method: 'POST', pattern: /^\/v1\/payments$/, handle: (r) => this.createPayment(r) },
    { method: 'GET', pattern: /^\/v1\/payments\/(\d+)$/, handle: (r) => this.getPayment(r) },
    { method: 'PUT', pattern: /^\/v1\/payments\/(\d+)$/, handle: (r) => this.updatePayment(r) },
    { method: 'POST', pattern: /^\/v1\/payments\/(\d+)\/refunds$/, handle: (r) => this.createRefund(r) },
    { method: 'GET', pattern: /^\/v1\/payments\/(\d+)\/refunds$/, handle: (r) => this.listRefunds(r) },
    { method: 'GET', pattern: /^\/checkout\/preferences\/search$/, handle: (r) => this.searchPreferences(r) },
    { method: 'POST', pattern: /^\/checkout\/preferences$/, handle: (r) => this.createPreference(r) },
    { method: 'GET', pattern: /^\/checkout\/preferences\/([^/]+)$/, handle: (r) => this.getPreference(r) },
    { method: 'PUT', pattern: /^\/checkout\/preferences\/([^/]+)$/, handle: (r) => this.updatePreference(r) },
  ];

  private readonly controlRoutes: Route<ControlRequest>[] = [
    { method: 'POST', pattern: /^\/_sim\/accounts$/, handle: (r) => created(this.createAccount({ name: stringField(r.body, 'name') })) },
    { method: 'GET', pattern: /^\/_sim\/payments$/, handle: () => ok(this.payments()) },
    { method: 'GET', pattern: /^\/_sim\/preferences$/, handle: () => ok(this.preferences()) },
    { method: 'GET', pattern: /^\/_sim\/requests$/, handle: () => ok(this.requests()) },
    { method: 'GET', pattern: /^\/_sim\/deliveries$/, handle: () => ok(this.deliveries()) },
    { method: 'POST', pattern: /^\/_sim\/payments\/([^/]+)\/pay$/, handle: (r) => this.controlPay(r) },
    { method: 'POST', pattern: /^\/_sim\/payments\/([^/]+)\/expire$/, handle: async (r) => acknowledge(await this.expire(r.params[0])) },
    { method: 'POST', pattern: /^\/_sim\/payments\/([^/]+)\/refund$/, handle: async (r) => acknowledge(await this.refundInPanel(r.params[0], stringField(r.body, 'amount'))) },
    { method: 'POST', pattern: /^\/_sim\/payments\/([^/]+)\/chargeback$/, handle: async (r) => acknowledge(await this.chargeback(r.params[0])) },
    { method: 'POST', pattern: /^\/_sim\/latency$/, handle: (r) => acknowledge(this.setLatency(Number(field(r.body, 'ms') ?? 0))) },
    { method: 'POST', pattern: /^\/_sim\/fail-next$/, handle: (r) => this.controlFailNext(r) },
    { method: 'POST', pattern: /^\/_sim\/webhook-delivery$/, handle: (r) => acknowledge(this.setWebhookDelivery(field(r.body, 'enabled') !== false)) },
    { method: 'POST', pattern: /^\/_sim\/reset$/, handle: () => acknowledge(this.reset()) },
  ];

  constructor(options: MercadoPagoSimulatorOptions = {}) {
    this.options = {
      requireBoletoPayerAddress: options.requireBoletoPayerAddress ?? false,
      notifyOnCreate: options.notifyOnCreate ?? true,
      webhookMaxAttempts: options.webhookMaxAttempts ?? 3,
      webhookRetryDelayMs: options.webhookRetryDelayMs ?? 100,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 5_000,
    };
  }

  get baseUrl(): string {
    if (!this.url) throw new Error('MercadoPagoSimulator is not started');
    return this.url;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle and inspection

  async start(port = 0): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.cancelRetries();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  createAccount(options: { name?: string } = {}): SimulatedAccount {
    const id = String(this.sequence.account++);
    const account: Account = {
      id,
      name: options.name?.trim() || 'Test Test',
      nickname: `TESTE${id.slice(-7)}`,
      accessToken: `TEST-${randomDigits(16)}-${formatInTimeZone(new Date(), SAO_PAULO, 'MMddHH')}-${randomBytes(16).toString('hex')}-${id}`,
      webhookSecret: randomBytes(32).toString('hex'),
      pixKey: randomUUID(),
    };
    this.accountsByToken.set(account.accessToken, account);
    this.accountsById.set(id, account);
    return { id, credentials: { accessToken: account.accessToken, webhookSecret: account.webhookSecret } };
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNext(count: number, status: number, pathPattern?: RegExp): void {
    this.failureRules.push({ remaining: count, status, pathPattern });
  }

  setWebhookDelivery(enabled: boolean): void {
    this.webhookDeliveryEnabled = enabled;
  }

  payments(): SimulatedPayment[] {
    return [...this.paymentStore.values()].map(({ accountId, json }) => ({
      id: String(json.id),
      accountId,
      externalReference: json.external_reference,
      status: json.status,
      method: json.payment_method_id,
      value: new Big(json.transaction_amount).toFixed(2),
      amountPaid: json.date_approved ? new Big(json.transaction_details?.total_paid_amount ?? json.transaction_amount).toFixed(2) : null,
      amountRefunded: new Big(json.transaction_amount_refunded).toFixed(2),
    }));
  }

  preferences(): SimulatedPreference[] {
    return [...this.preferenceStore.values()].map(({ accountId, json }) => ({
      id: json.id,
      accountId,
      externalReference: json.external_reference,
      amount: preferenceTotal(json).toFixed(2),
      expires: json.expires,
      expirationDateTo: json.expiration_date_to,
    }));
  }

  requests(): SimulatedRequest[] {
    return [...this.requestLog];
  }

  deliveries(): SimulatedDelivery[] {
    return [...this.deliveryLog];
  }

  /** Forgets payments, preferences, logs and fault settings; accounts (and their credentials) stay valid. */
  reset(): void {
    this.cancelRetries();
    this.paymentStore.clear();
    this.preferenceStore.clear();
    this.idempotentResults.clear();
    this.requestLog = [];
    this.deliveryLog = [];
    this.failureRules = [];
    this.latencyMs = 0;
    this.webhookDeliveryEnabled = true;
  }

  // -------------------------------------------------------------------------------------------
  // Control operations (what happens outside the API: payer, Mercado Pago, panel, card network)

  /** A pending payment is paid; for a preference id, the buyer pays through Checkout Pro (a new approved payment). */
  async pay(gatewayPaymentId: string, options: { amount?: string; method?: 'pix' | 'boleto' | 'card' } = {}): Promise<void> {
    const preference = this.preferenceStore.get(gatewayPaymentId);
    if (preference) return this.payPreference(preference, options);
    const stored = this.requirePayment(gatewayPaymentId);
    const { json } = stored;
    if (json.status !== 'pending') throw new SimulatorError(`payment ${json.id} is ${json.status}, not pending`);
    if (options.method && methodOfPaymentJson(json) !== options.method) {
      throw new SimulatorError(`payment ${json.id} is ${json.payment_method_id}; it cannot be paid with ${options.method}`, 400);
    }
    approve(json, options.amount ? new Big(options.amount) : new Big(json.transaction_amount));
    await this.notify(stored, 'payment.updated');
  }

  /** Mercado Pago cancels a pix/boleto that reached date_of_expiration unpaid (cancelled/expired). */
  async expire(gatewayPaymentId: string): Promise<void> {
    const preference = this.preferenceStore.get(gatewayPaymentId);
    if (preference) {
      Object.assign(preference.json, { expires: true, expiration_date_to: mpNow(), last_updated: mpNow() });
      return;
    }
    const stored = this.requirePayment(gatewayPaymentId);
    if (stored.json.status !== 'pending') throw new SimulatorError(`payment ${stored.json.id} is ${stored.json.status}, not pending`);
    setStatus(stored.json, 'cancelled', 'expired');
    await this.notify(stored, 'payment.updated');
  }

  async refundInPanel(gatewayPaymentId: string, amount?: string): Promise<void> {
    const stored = this.requirePayment(gatewayPaymentId);
    const account = this.requireAccount(stored.accountId);
    this.applyRefund(stored, account, amount === undefined ? null : new Big(amount));
    await this.notify(stored, 'payment.updated');
  }

  async chargeback(gatewayPaymentId: string): Promise<void> {
    const stored = this.requirePayment(gatewayPaymentId);
    if (stored.json.status !== 'approved') throw new SimulatorError(`payment ${stored.json.id} is ${stored.json.status}, not approved`);
    setStatus(stored.json, 'charged_back', 'settled');
    await this.notify(stored, 'payment.updated');
  }

  private async payPreference(preference: StoredPreference, options: { amount?: string; method?: 'pix' | 'boleto' | 'card' }): Promise<void> {
    const json = preference.json;
    if (json.expires && json.expiration_date_to && Date.parse(json.expiration_date_to) <= Date.now()) {
      throw new SimulatorError(`preference ${json.id} is expired`);
    }
    const method = options.method ?? 'card';
    const excluded = (json.payment_methods?.excluded_payment_types ?? []).map((type) => type.id);
    if (excluded.includes(paymentTypeOf(method))) throw new SimulatorError(`preference ${json.id} excludes ${method}`, 400);
    const stored = this.storeCheckoutPayment(preference, method);
    approve(stored.json, options.amount ? new Big(options.amount) : preferenceTotal(json));
    await this.notify(stored, 'payment.created');
  }

  private storeCheckoutPayment(preference: StoredPreference, method: 'pix' | 'boleto' | 'card'): StoredPayment {
    const account = this.requireAccount(preference.accountId);
    const pref = preference.json;
    const json = this.buildPayment(account, {
      methodId: method === 'card' ? 'master' : method === 'pix' ? 'pix' : 'bolbradesco',
      amount: preferenceTotal(pref),
      description: pref.items[0]?.title ?? null,
      payer: { email: stringField(pref.payer, 'email') ?? `test_user_${randomDigits(8)}@testuser.com` },
      externalReference: pref.external_reference,
      notificationUrl: pref.notification_url,
      dateOfExpiration: null,
    });
    Object.assign(json, {
      point_of_interaction: { type: 'CHECKOUT', business_info: { unit: 'online_payments', sub_unit: 'checkout_pro' } },
      order: { id: this.sequence.order++, type: 'mercadopago' },
      additional_info: { ...(json.additional_info as Json), items: pref.items.map((item) => ({ ...item, quantity: String(item.quantity), unit_price: String(item.unit_price) })) },
    });
    return this.storePayment(account, json);
  }

  // -------------------------------------------------------------------------------------------
  // HTTP plumbing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = await readBody(req);
      const reply = url.pathname.startsWith('/_sim/')
        ? await this.handleControl(req, url, rawBody)
        : await this.handleApi(req, url, rawBody);
      send(res, reply);
    } catch (error) {
      if (error instanceof SimulatorError) send(res, mpError(error.status, 'bad_request', error.message));
      else send(res, mpError(500, 'internal_server_error', error instanceof Error ? error.message : 'internal error'));
    }
  }

  private async handleApi(req: IncomingMessage, url: URL, rawBody: string): Promise<Reply> {
    const parsed = parseJson(rawBody);
    this.requestLog.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: { ...req.headers }, body: parsed.ok ? parsed.value : rawBody });
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const injected = this.takeFailure(url.pathname);
    if (injected) return injected;
    const match = findRoute(this.apiRoutes, req.method, url.pathname);
    if (!match) return mpError(404, 'not_found', `resource ${url.pathname} not found`);
    const account = this.authenticate(req.headers.authorization);
    if ('status' in account) return account;
    if (!parsed.ok) return mpError(400, 'bad_request', 'JSON parse error', [{ code: 'json_parse_error', description: 'JSON parse error' }]);
    return this.idempotent(req, account, url, () => match.route.handle({ account, url, params: match.params, body: parsed.value, headers: req.headers }));
  }

  private async handleControl(req: IncomingMessage, url: URL, rawBody: string): Promise<Reply> {
    const match = findRoute(this.controlRoutes, req.method, url.pathname);
    if (!match) return { status: 404, body: { message: `no control route ${req.method} ${url.pathname}` } };
    const parsed = parseJson(rawBody);
    try {
      return await match.route.handle({ url, params: match.params, body: parsed.ok ? parsed.value : null });
    } catch (error) {
      if (error instanceof SimulatorError) return { status: error.status, body: { message: error.message } };
      throw error;
    }
  }

  private authenticate(authorization: string | undefined): Account | Reply {
    const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    if (!token) return mpError(401, 'unauthorized', 'Must provide your access_token to proceed', [{ code: 5, description: 'Must provide your access_token to proceed' }]);
    return this.accountsByToken.get(token) ?? mpError(401, 'unauthorized', 'invalid access token', [{ code: 'invalid_token', description: 'invalid access token' }]);
  }

  /** Same X-Idempotency-Key on the same POST route of the same account → the object created the first time. */
  private async idempotent(req: IncomingMessage, account: Account, url: URL, run: () => Reply | Promise<Reply>): Promise<Reply> {
    const key = headerString(req.headers['x-idempotency-key']);
    if (req.method !== 'POST' || !key) return run();
    const storeKey = `${account.id}|${url.pathname}|${key}`;
    const previous = this.idempotentResults.get(storeKey);
    if (previous) return previous();
    const reply = await run();
    const replay = this.replayFor(reply);
    if (replay) this.idempotentResults.set(storeKey, replay);
    return reply;
  }

  /** Replays return the object's current state (same id), never a second object. */
  private replayFor(reply: Reply): (() => Reply) | null {
    if (reply.status >= 300) return null;
    const body = reply.body as Json;
    if (typeof body.payment_id === 'number') {
      const refundId = body.id;
      return () => created(this.paymentStore.get(String(body.payment_id))?.json.refunds?.find((refund) => refund.id === refundId) ?? body);
    }
    if (typeof body.id === 'number') return () => created(this.paymentStore.get(String(body.id))?.json ?? body);
    if (typeof body.id === 'string') return () => created(this.preferenceStore.get(body.id as string)?.json ?? body);
    return null;
  }

  private takeFailure(path: string): Reply | null {
    const rule = this.failureRules.find((candidate) => candidate.remaining > 0 && (!candidate.pathPattern || candidate.pathPattern.test(path)));
    if (!rule) return null;
    rule.remaining--;
    return injectedError(rule.status);
  }

  private async controlPay(request: ControlRequest): Promise<Reply> {
    const method = stringField(request.body, 'method');
    if (method !== undefined && method !== 'pix' && method !== 'boleto' && method !== 'card') throw new SimulatorError(`unknown method ${method}`, 400);
    return acknowledge(await this.pay(request.params[0], { amount: stringField(request.body, 'amount'), method }));
  }

  private controlFailNext(request: ControlRequest): Reply {
    const pattern = stringField(request.body, 'pathPattern');
    return acknowledge(this.failNext(Number(field(request.body, 'count') ?? 1), Number(field(request.body, 'status') ?? 500), pattern ? new RegExp(pattern) : undefined));
  }

  // -------------------------------------------------------------------------------------------
  // API: users and payments

  private getUser({ account }: ApiRequest): Reply {
    const [firstName, ...rest] = account.name.split(/\s+/);
    return ok({
      id: Number(account.id),
      nickname: account.nickname,
      registration_date: '2020-03-27T07:56:26.000-04:00',
      first_name: firstName,
      last_name: rest.join(' '),
      gender: '',
      country_id: 'BR',
      email: `test_user_${account.id.slice(-7)}@testuser.com`,
      identification: { number: '15635614680', type: 'CPF' },
      address: { address: 'Test Address 123', city: 'Sao Paulo', state: 'BR-SP', zip_code: '01310100' },
      phone: { area_code: '11', extension: '', number: '4444-4444', verified: false },
      user_type: 'normal',
      tags: ['normal', 'test_user', 'messages_as_seller'],
      logo: null,
      points: 100,
      site_id: 'MLB',
      permalink: `http://perfil.mercadolivre.com.br/${account.nickname}`,
      status: { site_status: 'active', mercadopago_account_type: 'personal', mercadopago_tc_accepted: true },
    });
  }

  private createPayment({ account, body }: ApiRequest): Reply {
    const invalid = this.validatePaymentRequest(body);
    if (invalid) return invalid;
    const payer = asRecord(field(body, 'payer'));
    const json = this.buildPayment(account, {
      methodId: stringField(body, 'payment_method_id') as 'pix' | 'bolbradesco',
      amount: new Big(field(body, 'transaction_amount') as number),
      description: stringField(body, 'description') ?? null,
      payer,
      externalReference: stringField(body, 'external_reference') ?? null,
      notificationUrl: stringField(body, 'notification_url') ?? null,
      dateOfExpiration: stringField(body, 'date_of_expiration') ?? null,
    });
    const stored = this.storePayment(account, json);
    if (this.options.notifyOnCreate) this.notifyInBackground(stored, 'payment.created');
    return created(json);
  }

  private getPayment({ account, params }: ApiRequest): Reply {
    const stored = this.paymentOf(account, params[0]);
    return stored ? ok(stored.json) : paymentNotFound(params[0]);
  }

  /** Only `{"status":"cancelled"}` is supported (the official SDKs' cancel). */
  private updatePayment({ account, params, body }: ApiRequest): Reply {
    const stored = this.paymentOf(account, params[0]);
    if (!stored) return paymentNotFound(params[0]);
    if (field(body, 'status') !== 'cancelled') return badRequest('Invalid status', 'status', 'only status=cancelled is supported');
    if (!PAYABLE_STATUSES.includes(stored.json.status)) {
      return badRequest(`Payment ${stored.json.id} with status ${stored.json.status} cannot be cancelled`, 'invalid_status', 'Invalid payment status to cancel');
    }
    setStatus(stored.json, 'cancelled', 'by_collector');
    this.notifyInBackground(stored, 'payment.updated');
    return ok(stored.json);
  }

  private searchPayments({ account, url }: ApiRequest): Reply {
    const query = url.searchParams;
    const limit = clampInt(query.get('limit'), 30, 1, 1000);
    const offset = clampInt(query.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER);
    const matching = [...this.paymentStore.values()]
      .filter((stored) => stored.accountId === account.id)
      .filter((stored) => matchesFilter(stored.json, query, ['external_reference', 'status', 'payment_method_id', 'payment_type_id']))
      .sort(bySortField(query.get('sort') ?? 'date_created', query.get('criteria') === 'asc' ? 1 : -1));
    return ok({ paging: { total: matching.length, limit, offset }, results: matching.slice(offset, offset + limit).map((stored) => stored.json) });
  }

  private createRefund({ account, params, body }: ApiRequest): Reply {
    const stored = this.paymentOf(account, params[0]);
    if (!stored) return paymentNotFound(params[0]);
    const rawAmount = field(body, 'amount');
    if (rawAmount !== undefined && (typeof rawAmount !== 'number' || !isMoney(rawAmount))) return badRequest('Invalid refund amount', 'invalid_amount', 'amount must be a positive number');
    try {
      const refund = this.applyRefund(stored, account, rawAmount === undefined ? null : new Big(rawAmount));
      this.notifyInBackground(stored, 'payment.updated');
      return created(refund);
    } catch (error) {
      if (error instanceof SimulatorError) return badRequest(error.message, 'invalid_refund', error.message);
      throw error;
    }
  }

  private listRefunds({ account, params }: ApiRequest): Reply {
    const stored = this.paymentOf(account, params[0]);
    return stored ? ok(stored.json.refunds ?? []) : paymentNotFound(params[0]);
  }

  private validatePaymentRequest(body: unknown): Reply | null {
    const method = stringField(body, 'payment_method_id');
    if (method !== 'pix' && method !== 'bolbradesco') return badRequest('Invalid payment_method_id', 4, 'The payment_method_id is not valid or not supported by this simulator');
    const amount = field(body, 'transaction_amount');
    if (typeof amount !== 'number' || !isMoney(amount)) return badRequest('Invalid transaction_amount', 4037, 'Invalid transaction_amount');
    const notificationUrl = stringField(body, 'notification_url');
    if (notificationUrl !== undefined && !isHttpUrl(notificationUrl)) {
      return badRequest('notificaction_url attribute must be url valid', 4020, 'notificaction_url attribute must be url valid');
    }
    return validateExpiration(stringField(body, 'date_of_expiration')) ?? this.validatePayer(asRecord(field(body, 'payer')), method === 'bolbradesco');
  }

  private validatePayer(payer: Json, boleto: boolean): Reply | null {
    const email = stringField(payer, 'email');
    if (!email || !EMAIL_PATTERN.test(email)) return badRequest('payer.email must be a valid email', 4050, 'payer.email must be a valid email');
    if (boleto && !stringField(payer, 'first_name')) return badRequest('Payer firstname required', 4094, 'Payer firstname required');
    if (boleto && !stringField(payer, 'last_name')) return badRequest('Payer lastname required', 4095, 'Payer lastname required');
    const identification = field(payer, 'identification');
    if (boleto && !identification) return badRequest('Payer identification type required', 4097, 'Payer identification type required');
    if (identification && !isValidIdentification(asRecord(identification))) {
      return badRequest('Invalid user identification number', 2067, 'Invalid user identification number');
    }
    if (boleto && this.options.requireBoletoPayerAddress && !hasFullAddress(asRecord(field(payer, 'address')))) {
      return badRequest('payer.address is required for boleto', 4100, 'payer.address.zip_code, street_name, street_number, neighborhood, city and federal_unit are required');
    }
    return null;
  }

  private buildPayment(account: Account, input: PaymentInput): SimPayment {
    const id = this.sequence.payment++;
    const now = mpNow();
    const methodId = input.methodId;
    const paymentTypeId = methodId === 'pix' ? 'bank_transfer' : methodId === 'bolbradesco' ? 'ticket' : 'credit_card';
    const expiration = input.dateOfExpiration ? mpTimestamp(new Date(input.dateOfExpiration)) : defaultExpiration(paymentTypeId);
    const json: SimPayment = {
      id,
      date_created: now,
      date_approved: null,
      date_last_updated: now,
      date_of_expiration: paymentTypeId === 'credit_card' ? null : expiration,
      money_release_date: null,
      money_release_status: null,
      operation_type: 'regular_payment',
      issuer_id: null,
      payment_method_id: methodId,
      payment_type_id: paymentTypeId,
      payment_method: { id: methodId, type: paymentTypeId },
      status: 'pending',
      status_detail: paymentTypeId === 'ticket' ? 'pending_waiting_payment' : 'pending_waiting_transfer',
      currency_id: 'BRL',
      description: input.description,
      live_mode: false,
      sponsor_id: null,
      authorization_code: null,
      money_release_schema: null,
      taxes_amount: 0,
      counter_currency: null,
      brand_id: null,
      shipping_amount: 0,
      pos_id: null,
      store_id: null,
      integrator_id: null,
      platform_id: null,
      corporation_id: null,
      collector_id: Number(account.id),
      payer: payerJson(input.payer),
      marketplace_owner: null,
      metadata: {},
      additional_info: { available_balance: null, nsu_processadora: null, authentication_code: null },
      order: {},
      external_reference: input.externalReference,
      transaction_amount: input.amount.toNumber(),
      transaction_amount_refunded: 0,
      coupon_amount: 0,
      differential_pricing_id: null,
      deduction_schema: null,
      installments: 1,
      transaction_details: {
        payment_method_reference_id: null,
        acquirer_reference: null,
        net_received_amount: 0,
        total_paid_amount: input.amount.toNumber(),
        overpaid_amount: 0,
        external_resource_url: null,
        installment_amount: 0,
        financial_institution: null,
        payable_deferral_period: null,
      },
      fee_details: [],
      charges_details: [],
      captured: true,
      binary_mode: false,
      call_for_authorize_id: null,
      statement_descriptor: null,
      card: {},
      notification_url: input.notificationUrl,
      refunds: [],
      processing_mode: 'aggregator',
      merchant_account_id: null,
      merchant_number: null,
      acquirer_reconciliation: [],
      point_of_interaction: { type: 'UNSPECIFIED', business_info: { unit: 'online_payments', sub_unit: 'default' } },
    };
    if (methodId === 'pix') addPixData(json, account);
    if (methodId === 'bolbradesco') addBoletoData(json, account);
    return json;
  }

  private storePayment(account: Account, json: SimPayment): StoredPayment {
    const stored = { accountId: account.id, createdAt: Date.now(), json };
    this.paymentStore.set(String(json.id), stored);
    return stored;
  }

  private applyRefund(stored: StoredPayment, account: Account, amount: Big | null): SimRefund {
    const json = stored.json;
    if (!REFUNDABLE_STATUSES.includes(json.status)) throw new SimulatorError(`Payment ${json.id} with status ${json.status} cannot be refunded`, 400);
    const remaining = new Big(json.transaction_amount).minus(json.transaction_amount_refunded);
    const refundAmount = amount ?? remaining;
    if (refundAmount.lte(0) || refundAmount.gt(remaining)) throw new SimulatorError(`Invalid refund amount ${refundAmount.toFixed(2)} (refundable ${remaining.toFixed(2)})`, 400);
    const refund = this.buildRefund(json, account, refundAmount);
    json.refunds = [...(json.refunds ?? []), refund];
    json.transaction_amount_refunded = new Big(json.transaction_amount_refunded).plus(refundAmount).toNumber();
    const full = refundAmount.eq(remaining);
    setStatus(json, full ? 'refunded' : 'approved', full ? 'refunded' : 'partially_refunded');
    return refund;
  }

  private buildRefund(payment: SimPayment, account: Account, amount: Big): SimRefund {
    return {
      id: this.sequence.refund++,
      payment_id: payment.id,
      amount: amount.toNumber(),
      metadata: {},
      source: { id: account.id, name: account.name, type: 'collector' },
      date_created: mpNow(),
      unique_sequence_number: null,
      refund_mode: 'standard',
      adjustment_amount: 0,
      status: 'approved',
      reason: null,
      labels: [],
      partition_details: [],
    };
  }

  // -------------------------------------------------------------------------------------------
  // API: Checkout Pro preferences

  private createPreference({ account, body }: ApiRequest): Reply {
    const invalid = validatePreferenceRequest(body);
    if (invalid) return invalid;
    const id = `${account.id}-${randomUUID()}`;
    const json = buildPreference(id, account, asRecord(body));
    this.preferenceStore.set(id, { accountId: account.id, createdAt: Date.now(), json });
    return created(json);
  }

  private getPreference({ account, params }: ApiRequest): Reply {
    const stored = this.preferenceOf(account, params[0]);
    return stored ? ok(stored.json) : preferenceNotFound(params[0]);
  }

  private updatePreference({ account, params, body }: ApiRequest): Reply {
    const stored = this.preferenceOf(account, params[0]);
    if (!stored) return preferenceNotFound(params[0]);
    const update = asRecord(body);
    const to = stringField(update, 'expiration_date_to');
    if (to !== undefined && Number.isNaN(Date.parse(to))) return badRequest('expiration_date_to invalid', 'invalid_expiration_date_to', 'expiration_date_to must be ISO 8601');
    for (const key of ['expires', 'expiration_date_from', 'expiration_date_to', 'notification_url', 'external_reference', 'items', 'payer', 'payment_methods']) {
      if (key in update) (stored.json as Json)[key] = update[key];
    }
    stored.json.last_updated = mpNow();
    return ok(stored.json);
  }

  private searchPreferences({ account, url }: ApiRequest): Reply {
    const query = url.searchParams;
    const limit = clampInt(query.get('limit'), 30, 1, 100);
    const offset = clampInt(query.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER);
    const matching = [...this.preferenceStore.values()]
      .filter((stored) => stored.accountId === account.id)
      .filter((stored) => matchesFilter(stored.json, query, ['external_reference']))
      .sort((a, b) => b.createdAt - a.createdAt);
    const elements = matching.slice(offset, offset + limit).map((stored) => preferenceSummary(stored.json));
    return ok({ elements, next_offset: offset + elements.length, total: matching.length });
  }

  // -------------------------------------------------------------------------------------------
  // Webhook notifications

  private notifyInBackground(stored: StoredPayment, action: NotificationAction): void {
    void this.notify(stored, action).catch(() => undefined);
  }

  /** Mercado Pago's Webhooks call: notification_url + ?data.id=<id>&type=payment, signed with the account secret. */
  private async notify(stored: StoredPayment, action: NotificationAction): Promise<void> {
    const target = stored.json.notification_url;
    if (!target) return;
    const account = this.requireAccount(stored.accountId);
    const dataId = String(stored.json.id);
    const body: MpNotificationBody = {
      id: this.sequence.notification++,
      live_mode: false,
      type: 'payment',
      date_created: mpNow(),
      user_id: Number(account.id),
      api_version: 'v1',
      action,
      data: { id: dataId },
    };
    await this.deliver(withQuery(target, { 'data.id': dataId, type: 'payment' }), JSON.stringify(body), account.webhookSecret, dataId, 1);
  }

  /** Each attempt is its own request (new x-request-id and ts); the body, and so its id, stays the same. */
  private async deliver(url: string, body: string, secret: string, dataId: string, attempt: number): Promise<void> {
    const requestId = randomUUID();
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'MercadoPago WebHook v1.0 payment',
      'x-request-id': requestId,
      'x-signature': signMercadoPagoNotification(secret, dataId, requestId, ts),
    };
    const delivery: SimulatedDelivery = { url, headers, body, status: null };
    this.deliveryLog.push(delivery);
    if (!this.webhookDeliveryEnabled) return;
    delivery.status = await postJson(url, headers, body, this.options.webhookTimeoutMs);
    const succeeded = delivery.status !== null && delivery.status >= 200 && delivery.status < 300;
    if (!succeeded && attempt < this.options.webhookMaxAttempts) this.scheduleRetry(() => this.deliver(url, body, secret, dataId, attempt + 1));
  }

  private scheduleRetry(retry: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      void retry().catch(() => undefined);
    }, this.options.webhookRetryDelayMs);
    this.retryTimers.add(timer);
  }

  private cancelRetries(): void {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  private paymentOf(account: Account, id: string): StoredPayment | null {
    const stored = this.paymentStore.get(id);
    return stored && stored.accountId === account.id ? stored : null;
  }

  private preferenceOf(account: Account, id: string): StoredPreference | null {
    const stored = this.preferenceStore.get(id);
    return stored && stored.accountId === account.id ? stored : null;
  }

  private requirePayment(id: string): StoredPayment {
    const stored = this.paymentStore.get(id);
    if (!stored) throw new SimulatorError(`payment ${id} not found`, 404);
    return stored;
  }

  private requireAccount(id: string): Account {
    const account = this.accountsById.get(id);
    if (!account) throw new SimulatorError(`account ${id} not found`, 404);
    return account;
  }
}

// ---------------------------------------------------------------------------------------------
// Payment building

interface PaymentInput {
  methodId: 'pix' | 'bolbradesco' | 'master';
  amount: Big;
  description: string | null;
  payer: Json;
  externalReference: string | null;
  notificationUrl: string | null;
  dateOfExpiration: string | null;
}

function payerJson(payer: Json): Json {
  const identification = asRecord(field(payer, 'identification'));
  return {
    type: null,
    id: randomDigits(10),
    operator_id: null,
    email: stringField(payer, 'email') ?? null,
    identification: { type: stringField(identification, 'type') ?? null, number: stringField(identification, 'number') ?? null },
    phone: { area_code: null, number: null, extension: null },
    first_name: stringField(payer, 'first_name') ?? null,
    last_name: stringField(payer, 'last_name') ?? null,
    entity_type: null,
  };
}

/** Mercado Pago's pix qr_code format (official fixture): key + amount + txid `mpqrinter<payment id>`, CRC16. */
function addPixData(json: SimPayment, account: Account): void {
  const pix = createStaticPix({
    merchantName: account.nickname.slice(0, 25),
    merchantCity: 'SAO PAULO',
    pixKey: account.pixKey,
    txid: `mpqrinter${json.id}`.slice(0, 25),
    transactionAmount: json.transaction_amount,
  });
  if (hasError(pix)) throw new Error('could not build the pix BR Code');
  const qrCode = pix.toBRCode();
  const png = qrCodePng(qrCode, { scale: 4 });
  json.point_of_interaction = {
    type: 'OPENPLATFORM',
    business_info: { unit: 'online_payments', sub_unit: 'default' },
    location: { state_id: null, source: null },
    application_data: { name: null, version: null },
    transaction_data: {
      qr_code: qrCode,
      bank_transfer_id: null,
      transaction_id: null,
      financial_institution: null,
      bank_info: { payer: { account_id: null, id: null, long_name: null }, collector: { account_id: null, long_name: null, account_holder_name: account.name } },
      qr_code_base64: png.toString('base64'),
      ticket_url: `https://www.mercadopago.com.br/sandbox/payments/${json.id}/ticket?caller_id=${account.id}&hash=${randomUUID()}`,
    },
  } as MpPayment['point_of_interaction'];
}


function addBoletoData(json: SimPayment, account: Account): void {
  const reference = String(json.id).padStart(10, '0').slice(-10);
  const barcode = buildBoletoBarcode(new Big(json.transaction_amount), json.date_of_expiration as string, reference);
  json.payment_method = { id: 'bolbradesco', type: 'ticket', data: {}, forward_data: { ticket_number: '', agreement_number: '' } };
  json.barcode = { content: barcode };
  json.transaction_details = {
    ...json.transaction_details,
    payment_method_reference_id: reference,
    verification_code: reference,
    financial_institution: 'bradesco',
    digitable_line: digitableLineFromBarcode(barcode)!,
    external_resource_url: `https://www.mercadopago.com.br/sandbox/payments/${json.id}/ticket?caller_id=${account.id}&payment_method_id=bolbradesco&payment_id=${json.id}&payment_method_reference_id=${reference}&hash=${randomUUID()}`,
  };
}

/** Bradesco (237) bank boleto, due on the expiration day in Sao Paulo. */
function buildBoletoBarcode(amount: Big, dateOfExpiration: string, reference: string): string {
  const freeField = `3381` + `26` + reference.padStart(11, '0') + `0006330` + `0`;
  try {
    return bankBoletoBarcode({ bank: '237', dueDate: formatInTimeZone(new Date(dateOfExpiration), SAO_PAULO, 'yyyy-MM-dd'), value: amount, freeField });
  } catch {
    throw new SimulatorError('boleto amount too large', 400);
  }
}

function approve(json: SimPayment, paidAmount: Big): void {
  const now = mpNow();
  setStatus(json, 'approved', 'accredited');
  json.date_approved = now;
  json.money_release_date = now;
  json.money_release_status = 'released';
  json.transaction_details = { ...json.transaction_details, total_paid_amount: paidAmount.toNumber(), net_received_amount: paidAmount.toNumber() };
  if (json.payment_type_id === 'credit_card') {
    json.authorization_code = randomDigits(6);
    json.card = { first_six_digits: '503143', last_four_digits: '6351', expiration_month: 11, expiration_year: 2030, cardholder: { name: 'APRO' } };
  }
}

function setStatus(json: SimPayment, status: string, statusDetail: string): void {
  json.status = status;
  json.status_detail = statusDetail;
  json.date_last_updated = mpNow();
}

function defaultExpiration(paymentTypeId: string): string {
  const hours = paymentTypeId === 'ticket' ? 72 : 24;
  return mpTimestamp(new Date(Date.now() + hours * 3_600_000));
}

function methodOfPaymentJson(json: SimPayment): 'pix' | 'boleto' | 'card' {
  if (json.payment_method_id === 'pix') return 'pix';
  return json.payment_type_id === 'ticket' ? 'boleto' : 'card';
}

function paymentTypeOf(method: 'pix' | 'boleto' | 'card'): string {
  return method === 'pix' ? 'bank_transfer' : method === 'boleto' ? 'ticket' : 'credit_card';
}

// ---------------------------------------------------------------------------------------------
// Preferences

function validatePreferenceRequest(body: unknown): Reply | null {
  const items = field(body, 'items');
  if (!Array.isArray(items) || items.length === 0) return badRequest('items needed', 'invalid_items', 'items needed');
  for (const item of items) {
    if (!stringField(item, 'title')) return badRequest('title invalid', 'invalid_items', 'items.title is required');
    const quantity = field(item, 'quantity');
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) return badRequest('quantity invalid', 'invalid_items', 'items.quantity must be a positive integer');
    const unitPrice = field(item, 'unit_price');
    if (typeof unitPrice !== 'number' || !isMoney(unitPrice)) return badRequest('unit_price invalid', 'invalid_items', 'items.unit_price must be a positive number');
    const currency = field(item, 'currency_id');
    if (currency !== undefined && currency !== 'BRL') return badRequest('currency_id invalid', 'invalid_items', 'items.currency_id must be BRL for MLB');
  }
  const notificationUrl = stringField(body, 'notification_url');
  if (notificationUrl !== undefined && !isHttpUrl(notificationUrl)) return badRequest('notification_url invalid', 'invalid_notification_url', 'notification_url must be a valid url');
  const installments = field(asRecord(field(body, 'payment_methods')), 'installments');
  if (installments !== undefined && (typeof installments !== 'number' || !Number.isInteger(installments) || installments < 1 || installments > 36)) {
    return badRequest('installments invalid', 'invalid_installments', 'payment_methods.installments must be between 1 and 36');
  }
  const to = stringField(body, 'expiration_date_to');
  if (to !== undefined && Number.isNaN(Date.parse(to))) return badRequest('expiration_date_to invalid', 'invalid_expiration_date_to', 'expiration_date_to must be ISO 8601');
  return null;
}

function buildPreference(id: string, account: Account, body: Json): SimPreference {
  const paymentMethods = asRecord(field(body, 'payment_methods'));
  return {
    additional_info: '',
    auto_return: '',
    back_urls: { failure: '', pending: '', success: '' },
    binary_mode: false,
    client_id: randomDigits(16),
    collector_id: Number(account.id),
    coupon_code: null,
    coupon_labels: null,
    date_created: mpNow(),
    date_of_expiration: null,
    expiration_date_from: stringField(body, 'expiration_date_from') ?? null,
    expiration_date_to: stringField(body, 'expiration_date_to') ?? null,
    expires: field(body, 'expires') === true,
    external_reference: stringField(body, 'external_reference') ?? null,
    id,
    init_point: `https://www.mercadopago.com.br/checkout/v1/redirect?pref_id=${id}`,
    internal_metadata: null,
    items: (field(body, 'items') as Json[]).map((item) => ({
      id: stringField(item, 'id') ?? '',
      category_id: '',
      currency_id: 'BRL',
      description: stringField(item, 'description') ?? '',
      picture_url: '',
      title: stringField(item, 'title') as string,
      quantity: field(item, 'quantity') as number,
      unit_price: field(item, 'unit_price') as number,
    })),
    marketplace: 'NONE',
    marketplace_fee: 0,
    metadata: {},
    notification_url: stringField(body, 'notification_url') ?? null,
    operation_type: 'regular_payment',
    payer: { ...asRecord(field(body, 'payer')), date_created: null, last_purchase: null },
    payment_methods: {
      default_card_id: null,
      default_payment_method_id: null,
      excluded_payment_methods: (field(paymentMethods, 'excluded_payment_methods') as Array<{ id: string }> | undefined) ?? [{ id: '' }],
      excluded_payment_types: (field(paymentMethods, 'excluded_payment_types') as Array<{ id: string }> | undefined) ?? [{ id: '' }],
      installments: (field(paymentMethods, 'installments') as number | undefined) ?? null,
      default_installments: null,
    },
    processing_modes: null,
    product_id: null,
    redirect_urls: { failure: '', pending: '', success: '' },
    sandbox_init_point: `https://sandbox.mercadopago.com.br/checkout/v1/redirect?pref_id=${id}`,
    site_id: 'MLB',
    shipments: { default_shipping_method: null, receiver_address: { zip_code: '', street_name: '', street_number: null, floor: '', apartment: '' } },
    statement_descriptor: null,
    total_amount: null,
    last_updated: null,
  };
}

function preferenceSummary(json: SimPreference): MpPreferenceSummary & Json {
  return {
    id: json.id,
    client_id: json.client_id,
    collector_id: json.collector_id,
    date_created: json.date_created,
    expiration_date_from: json.expiration_date_from,
    expiration_date_to: json.expiration_date_to,
    expires: json.expires,
    external_reference: json.external_reference,
    items: json.items.map((item) => item.id ?? ''),
    last_updated: json.last_updated ?? null,
    live_mode: false,
    marketplace: 'NONE',
    operation_type: 'regular_payment',
    payer_email: stringField(json.payer, 'email') ?? null,
    processing_modes: ['aggregator'],
    site_id: 'MLB',
  };
}

function preferenceTotal(json: MpPreference): Big {
  return json.items.reduce((total, item) => total.plus(new Big(item.unit_price).times(item.quantity)), new Big(0));
}

// ---------------------------------------------------------------------------------------------
// Validation helpers

function validateExpiration(value: string | undefined): Reply | null {
  if (value === undefined) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time) || !/[+-]\d{2}:\d{2}$|Z$/.test(value)) return badRequest('Invalid date_of_expiration', 'invalid_date_of_expiration', 'date_of_expiration must be ISO 8601 with offset');
  if (time <= Date.now()) return badRequest('date_of_expiration must be in the future', 'invalid_date_of_expiration', 'date_of_expiration must be in the future');
  return null;
}

function isValidIdentification(identification: Json): boolean {
  const type = stringField(identification, 'type');
  const number = stringField(identification, 'number') ?? '';
  if (type === 'CPF') return /^\d{11}$/.test(number) && isValidCpf(number);
  if (type === 'CNPJ') return /^\d{14}$/.test(number) && isValidCnpj(number);
  return false;
}

function hasFullAddress(address: Json): boolean {
  return ['zip_code', 'street_name', 'street_number', 'neighborhood', 'city', 'federal_unit'].every((key) => !!field(address, key));
}

function isMoney(value: number): boolean {
  return Number.isFinite(value) && value > 0 && new Big(value).round(2).eq(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function matchesFilter(json: Json, query: URLSearchParams, keys: string[]): boolean {
  return keys.every((key) => !query.has(key) || String(json[key] ?? '') === query.get(key));
}

function bySortField(sort: string, direction: 1 | -1): (a: StoredPayment, b: StoredPayment) => number {
  const key = ['date_created', 'date_approved', 'date_last_updated', 'money_release_date'].includes(sort) ? sort : 'date_created';
  return (a, b) => {
    const byDate = (Date.parse(String(a.json[key] ?? '')) || 0) - (Date.parse(String(b.json[key] ?? '')) || 0);
    return direction * (byDate !== 0 ? byDate : a.json.id - b.json.id);
  };
}

function clampInt(value: string | null, fallback: number, min: number, max: number): number {
  const parsed = value === null ? NaN : Number.parseInt(value, 10);
  return Number.isNaN(parsed) ? fallback : Math.min(max, Math.max(min, parsed));
}

// ---------------------------------------------------------------------------------------------
// Replies in Mercado Pago's shape

function ok(body: unknown): Reply {
  return { status: 200, body };
}

/** Control calls answer {ok:true}; the parameter only sequences the operation before the reply. */
function acknowledge(_done: void): Reply {
  return ok({ ok: true });
}

function created(body: unknown): Reply {
  return { status: 201, body };
}

function mpError(status: number, error: string, message: string, causes: Array<{ code: number | string; description: string }> = []): Reply {
  const data = `${formatInTimeZone(new Date(), 'UTC', "dd-MM-yyyy'T'HH:mm:ss'UTC'")};${randomUUID()}`;
  const body: MpErrorBody = { message, error, status, cause: causes.map((cause) => ({ ...cause, data })) };
  return { status, body };
}

function badRequest(message: string, code: number | string, description: string): Reply {
  return mpError(400, 'bad_request', message, [{ code, description }]);
}

function paymentNotFound(id: string): Reply {
  return mpError(404, 'not_found', 'Payment not found', [{ code: 2000, description: `Payment ${id} not found` }]);
}

function preferenceNotFound(id: string): Reply {
  return mpError(404, 'not_found', `Preference ${id} not found`, [{ code: 'not_found', description: 'preference not found' }]);
}

function injectedError(status: number): Reply {
  const names: Record<number, [string, string]> = {
    400: ['bad_request', 'Bad request'],
    401: ['unauthorized', 'invalid access token'],
    403: ['forbidden', 'At least one policy returned UNAUTHORIZED.'],
    404: ['not_found', 'Resource not found'],
    429: ['too_many_requests', 'Too many requests'],
    500: ['internal_server_error', 'Internal server error'],
    502: ['bad_gateway', 'Bad gateway'],
    503: ['service_unavailable', 'Service unavailable'],
    504: ['gateway_timeout', 'Gateway timeout'],
  };
  const [error, message] = names[status] ?? ['error', `HTTP ${status}`];
  return mpError(status, error, message);
}

function send(res: ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body ?? null);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

// ---------------------------------------------------------------------------------------------
// Small utilities

function findRoute<R>(routes: Route<R>[], method: string | undefined, path: string): { route: Route<R>; params: string[] } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map(decodeURIComponent) };
  }
  return null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  if (raw.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

function postJson(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? null));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
    request.end(body);
  });
}

function withQuery(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  return target.toString();
}

function asRecord(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function field(value: unknown, key: string): unknown {
  return asRecord(value)[key];
}

function stringField(value: unknown, key: string): string | undefined {
  const raw = field(value, key);
  if (typeof raw === 'number') return String(raw);
  return typeof raw === 'string' && raw.length > 0 ? raw : undefined;
}

function headerString(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

function mpNow(): string {
  return mpTimestamp(new Date());
}

function mpTimestamp(date: Date): string {
  return formatInTimeZone(date, SAO_PAULO, MP_TIMESTAMP);
}

function randomDigits(length: number): string {
  let digits = String(1 + (randomBytes(1)[0] % 9));
  while (digits.length < length) digits += String(randomBytes(1)[0] % 10);
  return digits;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
