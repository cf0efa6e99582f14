import { bankBoletoBarcode, digitableLineFromBarcode } from '../../../src/gateways/shared/boleto';
import { qrCodePng } from '../shared/qr-png';
import { generateCnpj, isValidCnpj, isValidCpf } from '@brazilian-utils/brazilian-utils';
import Big from 'big.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createDynamicPix, hasError } from 'pix-utils';
import {
  ASAAS_CREATE_BILLING_TYPES,
  AsaasCreateBillingType,
  AsaasCustomer,
  AsaasErrorBody,
  AsaasIdentificationField,
  AsaasList,
  AsaasPayment,
  AsaasPixQrCode,
  AsaasRefund,
  AsaasValueConfig,
  AsaasWebhookConfig,
} from '../../../src/gateways/asaas/asaas.types';
import {
  GatewaySimulator,
  SimulatedAccount,
  SimulatedDelivery,
  SimulatedPayment,
  SimulatedRequest,
} from '../gateway-simulator';

/**
 * In-memory Asaas API v3 double on 127.0.0.1, speaking the real paths, field names, list envelope,
 * error shape ({"errors":[{code,description}]}), auth header (`access_token`) and webhook delivery
 * (`asaas-access-token` header, {id,event,dateCreated,payment} body).
 *
 * Error descriptions for cases the references do not show are written in Asaas's style; codes follow
 * Asaas's `invalid_<field>` convention. Behaviour the references leave open is documented where it is chosen.
 *
 * Control over HTTP (no auth): POST /_sim/accounts {name?} -> {id, credentials}; GET /_sim/payments;
 * POST /_sim/payments/:id/pay {amount?, method?} | /expire | /refund {amount?} | /chargeback;
 * GET /_sim/requests, GET /_sim/deliveries; POST /_sim/latency {ms}, /_sim/fail {count, status, pathPattern?},
 * /_sim/webhook-delivery {enabled}, /_sim/reset. Hosted pages: GET /i/:id (invoice with pay buttons), /b/pdf/:id.
 */
export interface AsaasSimulatorOptions {
  /** Delivery attempts per webhook event (first try included). */
  webhookAttempts?: number;
  /** Delay before retry n is n times this. */
  webhookRetryDelayMs?: number;
  webhookTimeoutMs?: number;
}

type Method = 'pix' | 'boleto' | 'card';
type Handler = (request: ApiRequest) => Promise<Reply> | Reply;

interface Reply {
  status: number;
  body?: unknown;
}

interface ApiRequest {
  account: Account;
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

interface Account {
  id: string;
  name: string;
  email: string;
  cpfCnpj: string;
  apiKey: string;
}

interface PaymentRecord {
  accountId: string;
  payment: AsaasPayment;
  refunds: AsaasRefund[];
  /** Value set at creation; late payment adds interest/fine on top of it. */
  createdValue: Big;
  /** Days past due the payer pays on (set by expire). */
  daysLate: number;
  pixQrCode: AsaasPixQrCode | null;
}

interface Webhook {
  accountId: string;
  config: AsaasWebhookConfig & { events: string[] };
}

class SimulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

const API_PREFIX = '/v3';
const SAO_PAULO = 'America/Sao_Paulo';
const MIN_PAYMENT_VALUE = new Big(5);
const MAX_CARD_INSTALLMENTS = 21;
const MAX_WEBHOOKS_PER_ACCOUNT = 10;
const PAGE_LIMIT_DEFAULT = 10;
const PAGE_LIMIT_MAX = 100;
const BOLETO_BANK = '001';
const BOLETO_CONVENIO = '2759288';
const BOLETO_CARTEIRA = '17';
const PAYMENT_EVENTS = new Set([
  'PAYMENT_AUTHORIZED', 'PAYMENT_AWAITING_RISK_ANALYSIS', 'PAYMENT_APPROVED_BY_RISK_ANALYSIS',
  'PAYMENT_REPROVED_BY_RISK_ANALYSIS', 'PAYMENT_CREATED', 'PAYMENT_UPDATED', 'PAYMENT_CONFIRMED',
  'PAYMENT_RECEIVED', 'PAYMENT_ANTICIPATED', 'PAYMENT_OVERDUE', 'PAYMENT_DELETED', 'PAYMENT_RESTORED',
  'PAYMENT_REFUNDED', 'PAYMENT_REFUND_IN_PROGRESS', 'PAYMENT_REFUND_DENIED', 'PAYMENT_RECEIVED_IN_CASH_UNDONE',
  'PAYMENT_CHARGEBACK_REQUESTED', 'PAYMENT_CHARGEBACK_DISPUTE', 'PAYMENT_AWAITING_CHARGEBACK_REVERSAL',
  'PAYMENT_DUNNING_RECEIVED', 'PAYMENT_DUNNING_REQUESTED', 'PAYMENT_BANK_SLIP_VIEWED', 'PAYMENT_CHECKOUT_VIEWED',
  'PAYMENT_CREDIT_CARD_CAPTURE_REFUSED', 'PAYMENT_PARTIALLY_REFUNDED', 'PAYMENT_SPLIT_CANCELLED',
  'PAYMENT_SPLIT_DIVERGENCE_BLOCK', 'PAYMENT_SPLIT_DIVERGENCE_BLOCK_FINISHED',
]);
const OTHER_EVENT_FAMILIES = /^(INVOICE|TRANSFER|BILL|RECEIVABLE_ANTICIPATION|MOBILE_PHONE_RECHARGE|ACCOUNT_STATUS|SUBSCRIPTION|CHECKOUT)_[A-Z_]+$/;
const PAID_STATUSES = new Set(['RECEIVED', 'CONFIRMED', 'RECEIVED_IN_CASH']);

export class AsaasSimulator implements GatewaySimulator {
  readonly provider = 'asaas' as const;

  private server: Server | null = null;
  private port = 0;
  private readonly routes: Route[];
  private readonly accounts = new Map<string, Account>();
  private readonly customers = new Map<string, { accountId: string; customer: AsaasCustomer }>();
  private readonly paymentRecords = new Map<string, PaymentRecord>();
  private readonly webhooks = new Map<string, Webhook>();
  private requestLog: SimulatedRequest[] = [];
  private deliveryLog: SimulatedDelivery[] = [];
  private failures: { remaining: number; status: number; pattern?: RegExp }[] = [];
  private latencyMs = 0;
  private deliveryEnabled = true;
  private readonly webhookQueues = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private sequence = 0;

  constructor(private readonly options: AsaasSimulatorOptions = {}) {
    this.routes = this.apiRoutes();
  }

  get baseUrl(): string {
    return `${this.origin}${API_PREFIX}`;
  }

  /** Where invoice pages (/i/…) and the /_sim control API live. */
  get origin(): string {
    if (!this.server) throw new Error('AsaasSimulator not started');
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await this.waitForWebhooks();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  createAccount(options: { name?: string } = {}): SimulatedAccount {
    const n = this.nextSequence();
    const account: Account = {
      id: randomUUID(),
      name: options.name ?? `Loja Simulada ${n}`,
      email: `financeiro+${n}@loja-simulada.com.br`,
      cpfCnpj: generateCnpj(),
      apiKey: `$aact_hmlg_${randomBytes(24).toString('base64url')}`,
    };
    this.accounts.set(account.id, account);
    return { id: account.id, credentials: { apiKey: account.apiKey } };
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNext(count: number, status: number, pathPattern?: RegExp): void {
    this.failures.push({ remaining: count, status, pattern: pathPattern });
  }

  setWebhookDelivery(enabled: boolean): void {
    this.deliveryEnabled = enabled;
  }

  /** Resolves once every webhook queued so far was delivered or gave up. */
  async waitForWebhooks(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  reset(): void {
    this.accounts.clear();
    this.customers.clear();
    this.paymentRecords.clear();
    this.webhooks.clear();
    this.webhookQueues.clear();
    this.requestLog = [];
    this.deliveryLog = [];
    this.failures = [];
    this.latencyMs = 0;
    this.deliveryEnabled = true;
  }

  payments(): SimulatedPayment[] {
    return [...this.paymentRecords.values()].map((record) => ({
      id: record.payment.id,
      accountId: record.accountId,
      externalReference: record.payment.externalReference,
      status: record.payment.status,
      method: record.payment.billingType,
      value: new Big(record.payment.value).toFixed(2),
      // Once paid, value stays what was paid, whatever happens next (refund, chargeback).
      amountPaid: record.payment.confirmedDate ? new Big(record.payment.value).toFixed(2) : null,
      amountRefunded: refundedTotal(record).toFixed(2),
    }));
  }

  requests(): SimulatedRequest[] {
    return [...this.requestLog];
  }

  deliveries(): SimulatedDelivery[] {
    return [...this.deliveryLog];
  }

  // ----------------------------------------------------------------------------------------------------
  // Control operations (also exposed over HTTP under /_sim)
  // ----------------------------------------------------------------------------------------------------

  /** Pix/boleto -> RECEIVED + PAYMENT_RECEIVED; card -> CONFIRMED + PAYMENT_CONFIRMED. Late: interest/fine added. */
  async pay(gatewayPaymentId: string, options: { amount?: string; method?: Method } = {}): Promise<void> {
    const record = this.payableRecord(gatewayPaymentId);
    const method = options.method ?? defaultMethod(record.payment.billingType);
    assertMethodAccepted(record.payment.billingType, method);
    this.applyPaidValue(record, options.amount);
    this.markPaid(record, method);
    await this.emit(record, method === 'card' ? 'PAYMENT_CONFIRMED' : 'PAYMENT_RECEIVED');
  }

  async expire(gatewayPaymentId: string): Promise<void> {
    const record = this.requireRecord(gatewayPaymentId);
    if (record.payment.status !== 'PENDING' || record.payment.deleted) {
      throw new SimulatorError(400, 'invalid_action', `Só cobranças pendentes podem vencer (status ${record.payment.status}).`);
    }
    record.payment.status = 'OVERDUE';
    record.daysLate = Math.max(1, daysBetween(record.payment.dueDate, todayInSaoPaulo()));
    await this.emit(record, 'PAYMENT_OVERDUE');
  }

  async refundInPanel(gatewayPaymentId: string, amount?: string): Promise<void> {
    const record = this.requireRecord(gatewayPaymentId);
    const event = this.applyRefund(record, amount === undefined ? undefined : new Big(amount), 'Estorno pelo painel');
    await this.emit(record, event);
  }

  async chargeback(gatewayPaymentId: string): Promise<void> {
    const record = this.requireRecord(gatewayPaymentId);
    if (!PAID_STATUSES.has(record.payment.status)) {
      throw new SimulatorError(400, 'invalid_action', `Chargeback exige cobrança paga (status ${record.payment.status}).`);
    }
    record.payment.status = 'CHARGEBACK_REQUESTED';
    record.payment.chargeback = {
      id: randomUUID(),
      payment: record.payment.id,
      installment: record.payment.installment ?? null,
      customerAccount: record.payment.customer,
      status: 'REQUESTED',
      reason: 'ABSENT_CARD_FRAUD',
      disputeStartDate: todayInSaoPaulo(),
      value: record.payment.value,
      paymentDate: record.payment.paymentDate ?? record.payment.confirmedDate ?? null,
      creditCard: record.payment.creditCard
        ? { number: record.payment.creditCard.creditCardNumber, brand: record.payment.creditCard.creditCardBrand }
        : null,
      disputeStatus: null,
      deadlineToSendDisputeDocuments: addDays(todayInSaoPaulo(), 10),
    };
    await this.emit(record, 'PAYMENT_CHARGEBACK_REQUESTED');
  }

  // ----------------------------------------------------------------------------------------------------
  // HTTP plumbing
  // ----------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const reply = url.pathname.startsWith(`${API_PREFIX}/`)
        ? await this.handleApi(req, url, raw)
        : await this.handleOther(req, url, raw);
      send(res, reply);
    } catch (error) {
      send(res, errorReply(error));
    }
  }

  private async handleApi(req: IncomingMessage, url: URL, raw: string): Promise<Reply> {
    const method = req.method ?? 'GET';
    const path = `${url.pathname}${url.search}`;
    this.requestLog.push({ method, path, headers: { ...req.headers }, body: safeJson(raw) });
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    const failure = this.takeFailure(path);
    if (failure !== null) return { status: failure, body: errorBody('simulated_failure', `Falha simulada (HTTP ${failure}).`) };
    // Asaas answers 403 with no body when a GET carries a body.
    if (method === 'GET' && raw.length > 0) return { status: 403 };

    const account = this.authenticate(req.headers['access_token']);
    const route = this.matchRoute(method, trimSlash(url.pathname.slice(API_PREFIX.length)));
    if (!route) return { status: 404 };
    return route.handler({ account, params: route.params, query: url.searchParams, body: parseJsonBody(raw, req) });
  }

  private authenticate(header: string | string[] | undefined): Account {
    const apiKey = Array.isArray(header) ? header[0] : header;
    if (!apiKey) {
      throw new SimulatorError(401, 'access_token_not_found', "O cabeçalho de autenticação 'access_token' é obrigatório e não foi encontrado na requisição");
    }
    if (!apiKey.startsWith('$aact_')) {
      throw new SimulatorError(401, 'invalid_access_token_format', 'O valor fornecido não parece ser uma chave de API válida do Asaas. Verifique o formato da sua chave');
    }
    const account = [...this.accounts.values()].find((candidate) => candidate.apiKey === apiKey);
    if (!account) throw new SimulatorError(401, 'invalid_access_token', 'A chave de API fornecida é inválida');
    return account;
  }

  private takeFailure(path: string): number | null {
    const failure = this.failures.find((candidate) => candidate.remaining > 0 && (!candidate.pattern || candidate.pattern.test(path)));
    if (!failure) return null;
    failure.remaining -= 1;
    this.failures = this.failures.filter((candidate) => candidate.remaining > 0);
    return failure.status;
  }

  private matchRoute(method: string, path: string): { handler: Handler; params: string[] } | null {
    for (const route of this.routes) {
      const match = route.method === method ? route.pattern.exec(path) : null;
      if (match) return { handler: route.handler, params: match.slice(1).map(decodeURIComponent) };
    }
    return null;
  }

  private apiRoutes(): Route[] {
    const route = (method: string, pattern: RegExp, handler: Handler): Route => ({ method, pattern, handler });
    return [
      route('GET', /^\/myAccount\/commercialInfo$/, ({ account }) => ok(commercialInfo(account))),
      route('GET', /^\/myAccount\/status$/, ({ account }) => ok(accountStatus(account))),
      route('GET', /^\/customers$/, (request) => ok(this.listCustomers(request))),
      route('POST', /^\/customers$/, (request) => ok(this.createCustomer(request))),
      route('GET', /^\/customers\/([^/]+)$/, ({ account, params }) => ok(this.requireCustomer(account, params[0]))),
      route('DELETE', /^\/customers\/([^/]+)$/, ({ account, params }) => ok(this.deleteCustomer(account, params[0]))),
      route('GET', /^\/payments$/, (request) => ok(this.listPayments(request))),
      route('POST', /^\/payments$/, (request) => this.createPayments(request)),
      route('GET', /^\/payments\/([^/]+)$/, ({ account, params }) => ok(this.paymentJson(this.ownedRecord(account, params[0])))),
      route('DELETE', /^\/payments\/([^/]+)$/, ({ account, params }) => ok(this.deletePayment(account, params[0]))),
      route('POST', /^\/payments\/([^/]+)\/restore$/, ({ account, params }) => ok(this.restorePayment(account, params[0]))),
      route('GET', /^\/payments\/([^/]+)\/status$/, ({ account, params }) => ok({ status: this.ownedRecord(account, params[0]).payment.status })),
      route('GET', /^\/payments\/([^/]+)\/pixQrCode$/, ({ account, params }) => ok(this.pixQrCode(this.liveRecord(account, params[0])))),
      route('GET', /^\/payments\/([^/]+)\/identificationField$/, ({ account, params }) => ok(identificationField(this.liveRecord(account, params[0])))),
      route('POST', /^\/payments\/([^/]+)\/refund$/, (request) => ok(this.refundByApi(request))),
      route('GET', /^\/payments\/([^/]+)\/refunds$/, ({ account, params, query }) => ok(page(this.ownedRecord(account, params[0]).refunds, query))),
      route('GET', /^\/installments\/([^/]+)\/payments$/, ({ account, params, query }) => ok(this.installmentPayments(account, params[0], query))),
      route('GET', /^\/webhooks$/, ({ account, query }) => ok(page(this.accountWebhooks(account).map((hook) => hook.config), query))),
      route('POST', /^\/webhooks$/, (request) => ok(this.createWebhook(request))),
      route('GET', /^\/webhooks\/([^/]+)$/, ({ account, params }) => ok(this.requireWebhook(account, params[0]).config)),
      route('PUT', /^\/webhooks\/([^/]+)$/, (request) => ok(this.updateWebhook(request))),
      route('DELETE', /^\/webhooks\/([^/]+)$/, ({ account, params }) => ok(this.deleteWebhook(account, params[0]))),
    ];
  }

  /** /_sim control API, the hosted invoice page (/i/…) and the bank slip (/b/pdf/…). */
  private async handleOther(req: IncomingMessage, url: URL, raw: string): Promise<Reply> {
    const method = req.method ?? 'GET';
    const path = trimSlash(url.pathname);
    const body = (parseJsonBody(raw, req) ?? {}) as Record<string, unknown>;
    const paymentAction = /^\/_sim\/payments\/([^/]+)\/(pay|expire|refund|chargeback)$/.exec(path);
    if (method === 'POST' && paymentAction) return this.simPaymentAction(decodeURIComponent(paymentAction[1]), paymentAction[2], body, req);
    if (method === 'POST' && path === '/_sim/accounts') return { status: 201, body: this.createAccount({ name: optionalString(body.name) }) };
    if (method === 'GET' && path === '/_sim/payments') return ok(this.payments());
    if (method === 'GET' && path === '/_sim/requests') return ok(this.requests());
    if (method === 'GET' && path === '/_sim/deliveries') return ok(this.deliveries());
    if (method === 'POST' && path === '/_sim/latency') return this.simSetting(() => this.setLatency(Number(body.ms ?? 0)));
    if (method === 'POST' && path === '/_sim/fail') return this.simSetting(() => this.failNextFromHttp(body));
    if (method === 'POST' && path === '/_sim/webhook-delivery') return this.simSetting(() => this.setWebhookDelivery(body.enabled !== false));
    if (method === 'POST' && path === '/_sim/reset') return this.simSetting(() => this.reset());
    const invoice = /^\/i\/([^/]+)$/.exec(path);
    if (method === 'GET' && invoice) return this.invoicePage(`pay_${invoice[1]}`);
    const slip = /^\/b\/pdf\/([^/]+)$/.exec(path);
    if (method === 'GET' && slip) return this.bankSlipPage(`pay_${slip[1]}`);
    return { status: 404 };
  }

  private async simPaymentAction(id: string, action: string, body: Record<string, unknown>, req: IncomingMessage): Promise<Reply> {
    const amount = body.amount === undefined || body.amount === '' ? undefined : String(body.amount);
    switch (action) {
      case 'pay':
        await this.pay(id, { amount, method: optionalMethod(body.method) });
        break;
      case 'expire':
        await this.expire(id);
        break;
      case 'refund':
        await this.refundInPanel(id, amount);
        break;
      default:
        await this.chargeback(id);
    }
    // The invoice page posts an HTML form: send the browser back to it.
    if (isFormPost(req)) return { status: 303, body: { location: `/i/${id.replace(/^pay_/, '')}` } };
    return ok(this.paymentJson(this.requireRecord(id)));
  }

  private simSetting(apply: () => void): Reply {
    apply();
    return ok({ ok: true });
  }

  private failNextFromHttp(body: Record<string, unknown>): void {
    const pattern = typeof body.pathPattern === 'string' ? new RegExp(body.pathPattern) : undefined;
    this.failNext(Number(body.count ?? 1), Number(body.status ?? 500), pattern);
  }

  // ----------------------------------------------------------------------------------------------------
  // Customers
  // ----------------------------------------------------------------------------------------------------

  private listCustomers({ account, query }: ApiRequest): AsaasList<AsaasCustomer> {
    const cpfCnpj = query.get('cpfCnpj');
    const matches = [...this.customers.values()]
      .filter((entry) => entry.accountId === account.id && !entry.customer.deleted)
      .map((entry) => entry.customer)
      .filter((customer) => !cpfCnpj || customer.cpfCnpj === digits(cpfCnpj))
      .filter((customer) => !query.get('email') || customer.email === query.get('email'))
      .filter((customer) => !query.get('externalReference') || customer.externalReference === query.get('externalReference'))
      .filter((customer) => !query.get('name') || customer.name.toLowerCase().includes((query.get('name') ?? '').toLowerCase()));
    return page(matches, query);
  }

  private createCustomer({ account, body }: ApiRequest): AsaasCustomer {
    const input = requireObject(body);
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) throw invalid('invalid_name', 'O nome do cliente deve ser informado.');
    const cpfCnpj = typeof input.cpfCnpj === 'string' ? digits(input.cpfCnpj) : '';
    if (!cpfCnpj) throw invalid('invalid_cpfCnpj', 'O CPF/CNPJ do cliente deve ser informado.');
    if (!isValidCpf(cpfCnpj) && !isValidCnpj(cpfCnpj)) throw invalid('invalid_cpfCnpj', 'O CPF/CNPJ informado é inválido.');
    const email = optionalString(input.email) ?? null;
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalid('invalid_email', 'O email informado é inválido.');
    const mobilePhone = optionalString(input.mobilePhone) ? digits(String(input.mobilePhone)) : null;
    if (mobilePhone && !/^\d{10,11}$/.test(mobilePhone)) throw invalid('invalid_mobilePhone', 'O celular informado é inválido.');
    const customer: AsaasCustomer = {
      object: 'customer',
      id: `cus_${String(100000000 + this.nextSequence()).padStart(12, '0')}`,
      dateCreated: todayInSaoPaulo(),
      name,
      email,
      phone: optionalString(input.phone) ?? null,
      mobilePhone,
      cpfCnpj,
      personType: cpfCnpj.length === 11 ? 'FISICA' : 'JURIDICA',
      deleted: false,
      externalReference: optionalString(input.externalReference) ?? null,
      notificationDisabled: input.notificationDisabled === true,
      additionalEmails: null,
      address: null,
      addressNumber: null,
      complement: null,
      province: null,
      city: null,
      cityName: null,
      state: null,
      country: 'Brasil',
      postalCode: null,
      observations: null,
      foreignCustomer: false,
    };
    this.customers.set(customer.id, { accountId: account.id, customer });
    return customer;
  }

  private requireCustomer(account: Account, id: string): AsaasCustomer {
    const entry = this.customers.get(id);
    if (!entry || entry.accountId !== account.id) throw notFound();
    return entry.customer;
  }

  private deleteCustomer(account: Account, id: string): { deleted: boolean; id: string } {
    this.requireCustomer(account, id).deleted = true;
    return { deleted: true, id };
  }

  // ----------------------------------------------------------------------------------------------------
  // Payments
  // ----------------------------------------------------------------------------------------------------

  private async createPayments({ account, body }: ApiRequest): Promise<Reply> {
    const input = requireObject(body);
    const customer = this.customers.get(String(input.customer ?? ''));
    if (!customer || customer.accountId !== account.id || customer.customer.deleted) {
      throw invalid('invalid_customer', 'Customer Inválido ou não informado');
    }
    const billingType = requireBillingType(input.billingType);
    const dueDate = requireDueDate(input.dueDate);
    const values = installmentValues(input, billingType);
    const installment = values.length > 1 ? randomUUID() : null;
    const records = values.map((value, index) =>
      this.newPaymentRecord(account, input, {
        customerId: customer.customer.id,
        billingType,
        value,
        dueDate: addMonths(dueDate, index),
        installment,
        installmentNumber: installment ? index + 1 : null,
      }),
    );
    for (const record of records) void this.emit(record, 'PAYMENT_CREATED');
    return ok(this.paymentJson(records[0]));
  }

  private newPaymentRecord(
    account: Account,
    input: Record<string, unknown>,
    fields: { customerId: string; billingType: AsaasCreateBillingType; value: Big; dueDate: string; installment: string | null; installmentNumber: number | null },
  ): PaymentRecord {
    const id = `pay_${randomId(16)}`;
    const slug = id.slice('pay_'.length);
    const hasBoleto = fields.billingType === 'BOLETO' || fields.billingType === 'UNDEFINED';
    const payment: AsaasPayment = {
      object: 'payment',
      id,
      dateCreated: todayInSaoPaulo(),
      customer: fields.customerId,
      subscription: null,
      installment: fields.installment,
      paymentLink: null,
      value: toNumber(fields.value),
      netValue: toNumber(fields.value.minus(fee(fields.billingType, fields.value))),
      originalValue: null,
      interestValue: null,
      description: optionalString(input.description) ?? null,
      billingType: fields.billingType,
      canBePaidAfterDueDate: true,
      pixTransaction: null,
      pixQrCodeId: null,
      status: 'PENDING',
      dueDate: fields.dueDate,
      originalDueDate: fields.dueDate,
      paymentDate: null,
      clientPaymentDate: null,
      confirmedDate: null,
      installmentNumber: fields.installmentNumber,
      invoiceUrl: `${this.origin}/i/${slug}`,
      invoiceNumber: String(this.nextSequence()).padStart(8, '0'),
      externalReference: optionalString(input.externalReference) ?? null,
      deleted: false,
      anticipated: false,
      anticipable: false,
      creditDate: null,
      estimatedCreditDate: null,
      transactionReceiptUrl: null,
      nossoNumero: hasBoleto ? String(this.nextSequence()) : null,
      bankSlipUrl: hasBoleto ? `${this.origin}/b/pdf/${slug}` : null,
      lastInvoiceViewedDate: null,
      lastBankSlipViewedDate: null,
      postalService: false,
      custody: null,
      creditCard: null,
      discount: { value: 0, limitDate: null, dueDateLimitDays: 0, type: 'FIXED', ...valueConfig(input.discount, 'discount') },
      fine: { value: 0, type: 'PERCENTAGE', ...valueConfig(input.fine, 'fine') },
      interest: { value: 0, type: 'PERCENTAGE', ...valueConfig(input.interest, 'interest') },
      split: [],
      chargeback: null,
      refunds: null,
    };
    const record: PaymentRecord = { accountId: account.id, payment, refunds: [], createdValue: fields.value, daysLate: 0, pixQrCode: null };
    this.paymentRecords.set(id, record);
    return record;
  }

  private listPayments({ account, query }: ApiRequest): AsaasList<AsaasPayment> {
    const filters: [string, (payment: AsaasPayment) => unknown][] = [
      ['externalReference', (payment) => payment.externalReference],
      ['customer', (payment) => payment.customer],
      ['installment', (payment) => payment.installment],
      ['status', (payment) => payment.status],
      ['billingType', (payment) => payment.billingType],
    ];
    const records = this.accountRecords(account)
      .filter((record) => !record.payment.deleted)
      .filter((record) => filters.every(([name, read]) => !query.has(name) || read(record.payment) === query.get(name)));
    return page(records.map((record) => this.paymentJson(record)), query);
  }

  private installmentPayments(account: Account, installmentId: string, query: URLSearchParams): AsaasList<AsaasPayment> {
    const records = this.accountRecords(account).filter((record) => record.payment.installment === installmentId && !record.payment.deleted);
    if (records.length === 0) throw notFound();
    return page(records.map((record) => this.paymentJson(record)), query);
  }

  private deletePayment(account: Account, id: string): { deleted: boolean; id: string } {
    const record = this.liveRecord(account, id);
    if (!['PENDING', 'OVERDUE'].includes(record.payment.status)) {
      throw invalid('invalid_action', `Não é possível remover uma cobrança com situação ${record.payment.status}.`);
    }
    record.payment.deleted = true;
    void this.emit(record, 'PAYMENT_DELETED');
    return { deleted: true, id };
  }

  private restorePayment(account: Account, id: string): AsaasPayment {
    const record = this.ownedRecord(account, id);
    if (!record.payment.deleted) throw invalid('invalid_action', 'Esta cobrança não está removida.');
    record.payment.deleted = false;
    void this.emit(record, 'PAYMENT_RESTORED');
    return this.paymentJson(record);
  }

  private refundByApi({ account, params, body }: ApiRequest): AsaasPayment {
    const record = this.liveRecord(account, params[0]);
    const input = (body ?? {}) as Record<string, unknown>;
    // Boletos are refunded through POST /payments/{id}/bankSlip/refund (the payer supplies bank details).
    if (record.payment.billingType === 'BOLETO' && PAID_STATUSES.has(record.payment.status)) {
      throw invalid('invalid_action', 'Cobranças pagas por boleto devem ser estornadas em /payments/{id}/bankSlip/refund.');
    }
    const value = input.value === undefined || input.value === null ? undefined : requireAmount(input.value, 'value');
    const event = this.applyRefund(record, value, optionalString(input.description) ?? null);
    void this.emit(record, event);
    return this.paymentJson(record);
  }

  /** Full (or completing) refund -> REFUNDED; partial -> status kept, refund listed in `refunds`. */
  private applyRefund(record: PaymentRecord, value: Big | undefined, description: string | null): string {
    if (!PAID_STATUSES.has(record.payment.status)) {
      throw invalid('invalid_action', `Não é possível estornar uma cobrança com situação ${record.payment.status}.`);
    }
    const remaining = new Big(record.payment.value).minus(refundedTotal(record));
    const amount = value ?? remaining;
    if (amount.lte(0) || amount.gt(remaining)) {
      throw invalid('invalid_value', `O valor do estorno deve ser maior que zero e no máximo ${brl(remaining)}.`);
    }
    const now = nowInSaoPaulo();
    record.refunds.push({
      dateCreated: now,
      status: 'DONE',
      value: toNumber(amount),
      description,
      endToEndIdentifier: record.payment.billingType === 'PIX' ? `D${randomId(31).toUpperCase()}` : null,
      effectiveDate: now,
      transactionReceiptUrl: `${this.origin}/comprovantes/${randomDigits(16)}`,
      refundedSplits: [],
    });
    if (amount.lt(remaining)) return 'PAYMENT_PARTIALLY_REFUNDED';
    record.payment.status = 'REFUNDED';
    return 'PAYMENT_REFUNDED';
  }

  private applyPaidValue(record: PaymentRecord, amount: string | undefined): void {
    const original = record.createdValue;
    const paid = amount === undefined ? original.plus(lateCharges(record)) : requireAmount(amount, 'amount');
    if (paid.eq(original)) return;
    // Asaas keeps the created value in originalValue and shows what was paid in value. Only late charges
    // (interest and fine) count as interestValue; anything paid beyond them is an overpayment.
    const late = lateCharges(record);
    record.payment.originalValue = toNumber(original);
    record.payment.value = toNumber(paid);
    record.payment.interestValue = paid.gt(original) && late.gt(0) ? toNumber(late.lt(paid.minus(original)) ? late : paid.minus(original)) : null;
  }

  private markPaid(record: PaymentRecord, method: Method): void {
    const today = todayInSaoPaulo();
    const payment = record.payment;
    payment.billingType = billingTypeOf(method);
    payment.status = method === 'card' ? 'CONFIRMED' : 'RECEIVED';
    payment.netValue = toNumber(new Big(payment.value).minus(fee(payment.billingType, new Big(payment.value))));
    payment.confirmedDate = today;
    payment.clientPaymentDate = today;
    payment.paymentDate = method === 'card' ? null : today;
    payment.creditDate = method === 'card' ? null : today;
    payment.estimatedCreditDate = method === 'card' ? addDays(today, 32) : today;
    payment.transactionReceiptUrl = `${this.origin}/comprovantes/${randomDigits(16)}`;
    if (method === 'pix') payment.pixTransaction = randomUUID();
    if (method === 'card') payment.creditCard = { creditCardNumber: '4444', creditCardBrand: 'VISA', creditCardToken: randomUUID() };
  }

  private pixQrCode(record: PaymentRecord): AsaasPixQrCode {
    if (record.payment.billingType === 'CREDIT_CARD') {
      throw invalid('invalid_billingType', 'Não é possível gerar QR Code Pix para cobranças de cartão de crédito.');
    }
    record.pixQrCode ??= buildPixQrCode(record, this.accounts.get(record.accountId)?.name ?? 'ASAAS');
    return record.pixQrCode;
  }

  private paymentJson(record: PaymentRecord): AsaasPayment {
    return structuredClone({ ...record.payment, refunds: record.refunds.length > 0 ? record.refunds : null });
  }

  private requireRecord(id: string): PaymentRecord {
    const record = this.paymentRecords.get(id);
    if (!record) throw notFound();
    return record;
  }

  private payableRecord(id: string): PaymentRecord {
    const record = this.requireRecord(id);
    if (record.payment.deleted || !['PENDING', 'OVERDUE'].includes(record.payment.status)) {
      throw new SimulatorError(400, 'invalid_action', `Cobrança ${id} não pode ser paga (status ${record.payment.status}${record.payment.deleted ? ', removida' : ''}).`);
    }
    return record;
  }

  private ownedRecord(account: Account, id: string): PaymentRecord {
    const record = this.paymentRecords.get(id);
    if (!record || record.accountId !== account.id) throw notFound();
    return record;
  }

  /** Sub-resources of a removed payment are gone. */
  private liveRecord(account: Account, id: string): PaymentRecord {
    const record = this.ownedRecord(account, id);
    if (record.payment.deleted) throw notFound();
    return record;
  }

  private accountRecords(account: Account): PaymentRecord[] {
    return [...this.paymentRecords.values()].filter((record) => record.accountId === account.id);
  }

  // ----------------------------------------------------------------------------------------------------
  // Webhooks: configuration and delivery
  // ----------------------------------------------------------------------------------------------------

  private createWebhook({ account, body }: ApiRequest): AsaasWebhookConfig {
    if (this.accountWebhooks(account).length >= MAX_WEBHOOKS_PER_ACCOUNT) {
      throw invalid('invalid_action', `Limite de ${MAX_WEBHOOKS_PER_ACCOUNT} webhooks por conta atingido.`);
    }
    const config = { id: randomUUID(), ...validWebhookConfig(requireObject(body)) };
    this.webhooks.set(config.id, { accountId: account.id, config });
    return config;
  }

  private updateWebhook({ account, params, body }: ApiRequest): AsaasWebhookConfig {
    const webhook = this.requireWebhook(account, params[0]);
    webhook.config = { id: webhook.config.id, ...validWebhookConfig({ ...webhook.config, ...requireObject(body) }) };
    return webhook.config;
  }

  private deleteWebhook(account: Account, id: string): { deleted: boolean; id: string } {
    this.requireWebhook(account, id);
    this.webhooks.delete(id);
    return { deleted: true, id };
  }

  private requireWebhook(account: Account, id: string): Webhook {
    const webhook = this.webhooks.get(id);
    if (!webhook || webhook.accountId !== account.id) throw notFound();
    return webhook;
  }

  private accountWebhooks(account: Account): Webhook[] {
    return [...this.webhooks.values()].filter((webhook) => webhook.accountId === account.id);
  }

  /** One event to every enabled webhook of the account that subscribes to it, each webhook in order. */
  private emit(record: PaymentRecord, event: string): Promise<void> {
    const body = JSON.stringify({
      id: `evt_${randomBytes(16).toString('hex')}&${this.nextSequence()}`,
      event,
      dateCreated: nowInSaoPaulo(),
      payment: this.paymentJson(record),
    });
    const targets = [...this.webhooks.values()].filter(
      (webhook) => webhook.accountId === record.accountId && webhook.config.enabled && !webhook.config.interrupted && webhook.config.events.includes(event),
    );
    const delivery = Promise.all(targets.map((webhook) => this.enqueue(webhook, body))).then(() => undefined);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
    return delivery;
  }

  private enqueue(webhook: Webhook, body: string): Promise<void> {
    const previous = this.webhookQueues.get(webhook.config.id) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(webhook.config, body));
    this.webhookQueues.set(webhook.config.id, next);
    return next;
  }

  private async deliver(config: AsaasWebhookConfig, body: string): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'Asaas-Simulator/3' };
    if (config.authToken) headers['asaas-access-token'] = config.authToken;
    if (!this.deliveryEnabled) {
      this.deliveryLog.push({ url: config.url, headers, body, status: null });
      return;
    }
    const attempts = this.options.webhookAttempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const status = await postWebhook(config.url, headers, body, this.options.webhookTimeoutMs ?? 2_000);
      this.deliveryLog.push({ url: config.url, headers, body, status });
      if (status !== null && status >= 200 && status < 300) return;
      if (attempt < attempts) await sleep((this.options.webhookRetryDelayMs ?? 20) * attempt);
    }
  }

  // ----------------------------------------------------------------------------------------------------
  // Hosted pages (demo aid): invoice with pay buttons, bank slip
  // ----------------------------------------------------------------------------------------------------

  private invoicePage(id: string): Reply {
    const record = this.paymentRecords.get(id);
    if (!record) return { status: 404 };
    const payment = record.payment;
    const open = ['PENDING', 'OVERDUE'].includes(payment.status) && !payment.deleted;
    const pix = open && payment.billingType !== 'CREDIT_CARD' ? this.pixQrCode(record) : null;
    const boleto = open && payment.nossoNumero ? identificationField(record) : null;
    const buttons = open ? acceptedMethods(payment.billingType).map((method) => payButton(payment.id, method)).join('') : '';
    const html = `<!doctype html><html lang="pt-BR"><meta charset="utf-8"><title>Fatura ${escapeHtml(payment.invoiceNumber ?? '')}</title>
<body style="font-family:sans-serif;max-width:32rem;margin:2rem auto">
<h1>${escapeHtml(brl(new Big(payment.value)))}</h1>
<p>${escapeHtml(payment.description ?? '')}</p><p>Vencimento: ${escapeHtml(payment.dueDate)} · Situação: <b>${escapeHtml(payment.status)}</b></p>
${pix ? `<h2>Pix</h2><img alt="QR Code Pix" src="data:image/png;base64,${pix.encodedImage}" width="240"><pre style="white-space:pre-wrap">${escapeHtml(pix.payload)}</pre>` : ''}
${boleto ? `<h2>Boleto</h2><pre>${escapeHtml(boleto.identificationField)}</pre>` : ''}
${buttons}</body></html>`;
    return { status: 200, body: { html } };
  }

  private bankSlipPage(id: string): Reply {
    const record = this.paymentRecords.get(id);
    if (!record || !record.payment.nossoNumero) return { status: 404 };
    const field = identificationField(record);
    return { status: 200, body: { html: `<!doctype html><meta charset="utf-8"><pre>Boleto ${escapeHtml(field.identificationField)}\n${escapeHtml(field.barCode)}</pre>` } };
  }

  private nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }
}

// ------------------------------------------------------------------------------------------------------
// Request validation (Asaas style: 400 {"errors":[{code,description}]})
// ------------------------------------------------------------------------------------------------------

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('invalid_object', 'O corpo da requisição deve ser um objeto JSON.');
  return body as Record<string, unknown>;
}

function requireBillingType(value: unknown): AsaasCreateBillingType {
  if (typeof value === 'string' && (ASAAS_CREATE_BILLING_TYPES as readonly string[]).includes(value)) return value as AsaasCreateBillingType;
  throw invalid('invalid_billingType', 'Informe uma forma de pagamento válida: UNDEFINED, BOLETO, CREDIT_CARD ou PIX.');
}

function requireDueDate(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) throw invalid('invalid_dueDate', 'Informe uma data de vencimento válida no formato yyyy-MM-dd.');
  if (value < todayInSaoPaulo()) throw invalid('invalid_dueDate', 'Não é permitido data de vencimento inferior a hoje.');
  return value;
}

function requireAmount(value: unknown, field: string): Big {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d+(\.\d+)?$/.test(text)) throw invalid(`invalid_${field}`, `O campo ${field} deve ser um número.`);
  return new Big(text);
}

/** Value of each payment to create: one for a single charge, one per installment otherwise. */
function installmentValues(input: Record<string, unknown>, billingType: AsaasCreateBillingType): Big[] {
  if (input.installmentCount === undefined || input.installmentCount === null) {
    if (input.value === undefined || input.value === null) throw invalid('invalid_value', 'Informe o valor da cobrança.');
    return [atLeastMinimum(requireAmount(input.value, 'value'))];
  }
  const count = Number(input.installmentCount);
  if (!Number.isInteger(count) || count < 2) throw invalid('invalid_installmentCount', 'Parcelamentos devem ter 2 ou mais parcelas; para cobrança à vista informe apenas value.');
  if (billingType === 'CREDIT_CARD' && count > MAX_CARD_INSTALLMENTS) {
    throw invalid('invalid_installmentCount', `O parcelamento no cartão de crédito é permitido em até ${MAX_CARD_INSTALLMENTS} parcelas.`);
  }
  const values = input.totalValue !== undefined && input.totalValue !== null
    ? splitTotal(requireAmount(input.totalValue, 'totalValue'), count)
    : Array.from({ length: count }, () => requireAmount(input.installmentValue ?? input.value, 'installmentValue'));
  values.forEach(atLeastMinimum);
  return values;
}

/** Asaas: parcels truncated to cents, the difference on the last one (350,00 / 12 = 11 x 29,16 + 29,24). */
function splitTotal(total: Big, count: number): Big[] {
  const regular = total.div(count).round(2, Big.roundDown);
  return Array.from({ length: count }, (_, index) => (index === count - 1 ? total.minus(regular.times(count - 1)) : regular));
}

function atLeastMinimum(value: Big): Big {
  if (value.lt(MIN_PAYMENT_VALUE)) {
    throw invalid('invalid_value', `O valor da cobrança (${brl(value)}) menos o valor do desconto (R$ 0,00) não pode ser menor que ${brl(MIN_PAYMENT_VALUE)}.`);
  }
  return value;
}

function valueConfig(value: unknown, field: string): Partial<AsaasValueConfig> {
  if (value === undefined || value === null) return {};
  const config = requireObject(value);
  const amount = requireAmount(config.value, `${field}.value`);
  const type = config.type === 'FIXED' || config.type === 'PERCENTAGE' ? config.type : undefined;
  return { ...config, value: toNumber(amount), ...(type ? { type } : {}) };
}

function validWebhookConfig(input: Record<string, unknown>): Omit<AsaasWebhookConfig, 'id'> & { events: string[] } {
  const name = optionalString(input.name);
  if (!name) throw invalid('invalid_name', 'Informe o nome do webhook.');
  if (typeof input.url !== 'string' || !/^https?:\/\/[^\s]+$/.test(input.url)) throw invalid('invalid_url', 'Informe uma URL válida.');
  if (typeof input.email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) throw invalid('invalid_email', 'Informe um email válido.');
  if (input.sendType !== 'SEQUENTIALLY' && input.sendType !== 'NON_SEQUENTIALLY') throw invalid('invalid_sendType', 'Informe o tipo de envio: SEQUENTIALLY ou NON_SEQUENTIALLY.');
  if (input.apiVersion !== undefined && input.apiVersion !== 3) throw invalid('invalid_apiVersion', 'A versão da API deve ser 3.');
  const events = input.events;
  if (!Array.isArray(events) || events.length === 0 || !events.every(isKnownEvent)) throw invalid('invalid_events', 'Informe ao menos um evento válido.');
  return {
    name,
    url: input.url,
    email: input.email,
    enabled: input.enabled !== false,
    interrupted: input.interrupted === true,
    apiVersion: 3,
    authToken: optionalString(input.authToken) ?? null,
    sendType: input.sendType,
    events: [...events],
  };
}

function isKnownEvent(event: unknown): event is string {
  return typeof event === 'string' && (PAYMENT_EVENTS.has(event) || OTHER_EVENT_FAMILIES.test(event));
}

// ------------------------------------------------------------------------------------------------------
// Payment rules
// ------------------------------------------------------------------------------------------------------

/** Fine once (percent of the value, or fixed) + interest per month pro rata per day, both half-up to cents. */
function lateCharges(record: PaymentRecord): Big {
  const daysLate = Math.max(record.daysLate, daysBetween(record.payment.dueDate, todayInSaoPaulo()));
  if (daysLate <= 0) return new Big(0);
  const base = record.createdValue;
  const fine = record.payment.fine ?? { value: 0 };
  const interest = record.payment.interest ?? { value: 0 };
  const fineValue = fine.type === 'FIXED' ? new Big(fine.value) : base.times(fine.value).div(100);
  const monthlyInterest = interest.type === 'FIXED' ? new Big(interest.value) : base.times(interest.value).div(100);
  return fineValue.round(2, Big.roundHalfUp).plus(monthlyInterest.times(daysLate).div(30).round(2, Big.roundHalfUp));
}

function refundedTotal(record: PaymentRecord): Big {
  return record.refunds.filter((refund) => refund.status === 'DONE').reduce((total, refund) => total.plus(refund.value), new Big(0));
}

/** Asaas-like fees, only so that netValue looks real. */
function fee(billingType: string, value: Big): Big {
  if (billingType === 'CREDIT_CARD') return value.times('0.0299').plus('0.49').round(2, Big.roundHalfUp);
  return new Big('1.99');
}

function acceptedMethods(billingType: string): Method[] {
  if (billingType === 'PIX') return ['pix'];
  // A boleto carries a Pix QR code too when the account has a Pix key.
  if (billingType === 'BOLETO') return ['boleto', 'pix'];
  if (billingType === 'CREDIT_CARD') return ['card'];
  return ['pix', 'boleto', 'card'];
}

function defaultMethod(billingType: string): Method {
  return acceptedMethods(billingType)[0];
}

function assertMethodAccepted(billingType: string, method: Method): void {
  if (!acceptedMethods(billingType).includes(method)) {
    throw new SimulatorError(400, 'invalid_action', `Uma cobrança ${billingType} não pode ser paga com ${method}.`);
  }
}

function billingTypeOf(method: Method): AsaasCreateBillingType {
  return method === 'pix' ? 'PIX' : method === 'boleto' ? 'BOLETO' : 'CREDIT_CARD';
}

// ------------------------------------------------------------------------------------------------------
// Pix BR Code and boleto
// ------------------------------------------------------------------------------------------------------

function buildPixQrCode(record: PaymentRecord, accountName: string): AsaasPixQrCode {
  const pix = createDynamicPix({
    merchantName: emvText(accountName, 25),
    merchantCity: 'SAO PAULO',
    url: `pix-h.asaas.com/pixqrcode/cobv/${record.payment.id}`,
    oneTime: true,
  });
  if (hasError(pix)) throw new Error(`pix-utils: ${pix.message}`);
  const payload = pix.toBRCode();
  // Dynamic QR with due date (cobv): valid for 12 months after the due date.
  return { encodedImage: qrCodePng(payload, { targetWidth: 200 }).toString('base64'), payload, expirationDate: `${addMonths(record.payment.dueDate, 12)} 23:59:59` };
}

/** Banco do Brasil layout (convênio 7 digits), as in the Asaas docs example; value and due date as of now. */
function identificationField(record: PaymentRecord): AsaasIdentificationField {
  const payment = record.payment;
  if (!payment.nossoNumero) throw invalid('invalid_billingType', 'Esta cobrança não possui boleto.');
  const freeField = `000000${BOLETO_CONVENIO}${payment.nossoNumero.padStart(10, '0')}${BOLETO_CARTEIRA}`;
  const barCode = bankBoletoBarcode({ bank: BOLETO_BANK, dueDate: payment.dueDate, value: new Big(payment.value), freeField });
  return { identificationField: digitableLineFromBarcode(barCode)!, nossoNumero: payment.nossoNumero, barCode };
}

// ------------------------------------------------------------------------------------------------------
// Account views
// ------------------------------------------------------------------------------------------------------

function commercialInfo(account: Account): Record<string, unknown> {
  return {
    status: 'APPROVED',
    personType: 'JURIDICA',
    cpfCnpj: account.cpfCnpj,
    name: account.name,
    companyName: account.name,
    tradingName: account.name,
    companyType: 'LIMITED',
    email: account.email,
    phone: null,
    mobilePhone: null,
    city: { object: 'city', id: 15873, ibgeCode: '3550308', name: 'São Paulo', districtCode: null, district: null, state: 'SP' },
    denialReason: null,
    commercialInfoExpiration: { isExpired: false, scheduledDate: null },
  };
}

function accountStatus(account: Account): Record<string, unknown> {
  return { id: account.id, commercialInfo: 'APPROVED', bankAccountInfo: 'APPROVED', documentation: 'APPROVED', general: 'APPROVED' };
}

// ------------------------------------------------------------------------------------------------------
// HTTP helpers
// ------------------------------------------------------------------------------------------------------

function page<T>(items: T[], query: URLSearchParams): AsaasList<T> {
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const limit = Math.min(PAGE_LIMIT_MAX, Math.max(1, Number(query.get('limit') ?? PAGE_LIMIT_DEFAULT) || PAGE_LIMIT_DEFAULT));
  const data = items.slice(offset, offset + limit);
  return { object: 'list', hasMore: offset + data.length < items.length, totalCount: items.length, limit, offset, data };
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function invalid(code: string, description: string): SimulatorError {
  return new SimulatorError(400, code, description);
}

/** Asaas answers an unknown id with 404 and no body. */
function notFound(): SimulatorError {
  return new SimulatorError(404, '', '');
}

function errorBody(code: string, description: string): AsaasErrorBody {
  return { errors: [{ code, description }] };
}

function errorReply(error: unknown): Reply {
  if (error instanceof SimulatorError) return error.status === 404 ? { status: 404 } : { status: error.status, body: errorBody(error.code, error.message) };
  return { status: 500, body: errorBody('internal_error', error instanceof Error ? error.message : String(error)) };
}

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.body as { html?: string; location?: string } | undefined;
  if (reply.status === 303 && body?.location) {
    res.writeHead(303, { Location: body.location }).end();
  } else if (body && typeof body.html === 'string') {
    res.writeHead(reply.status, { 'Content-Type': 'text/html; charset=utf-8' }).end(body.html);
  } else if (reply.body === undefined) {
    res.writeHead(reply.status).end();
  } else {
    res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.body));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJsonBody(raw: string, req: IncomingMessage): unknown {
  if (raw.length === 0) return undefined;
  if (isFormPost(req)) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    throw invalid('invalid_object', 'O corpo da requisição não é um JSON válido.');
  }
}

function isFormPost(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
}

function safeJson(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

async function postWebhook(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number | null> {
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

function payButton(paymentId: string, method: Method): string {
  const label = { pix: 'Pagar com Pix', boleto: 'Pagar boleto', card: 'Pagar com cartão' }[method];
  return `<form method="post" action="/_sim/payments/${encodeURIComponent(paymentId)}/pay"><input type="hidden" name="method" value="${method}"><button>${label}</button></form>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// ------------------------------------------------------------------------------------------------------
// Small value helpers
// ------------------------------------------------------------------------------------------------------

function todayInSaoPaulo(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: SAO_PAULO, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** 'yyyy-MM-dd HH:mm:ss', the format of Asaas event and refund timestamps. */
function nowInSaoPaulo(): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: SAO_PAULO,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(new Date());
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Same day next month(s), clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}

function toNumber(amount: Big): number {
  return Number(amount.toFixed(2));
}

function brl(amount: Big): string {
  return `R$ ${amount.toFixed(2).replace('.', ',')}`;
}

function digits(value: string): string {
  return value.replace(/\D/g, '');
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}

function optionalMethod(value: unknown): Method | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'pix' || value === 'boleto' || value === 'card') return value;
  throw new SimulatorError(400, 'invalid_method', 'method deve ser pix, boleto ou card.');
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** EMV merchant fields: plain ASCII letters, digits and spaces, upper case, at most `max` characters. */
function emvText(text: string, max: number): string {
  const plain = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9 ]/g, '').trim().toUpperCase();
  return (plain || 'ASAAS').slice(0, max);
}

function randomId(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

function randomDigits(length: number): string {
  return Array.from(randomBytes(length), (byte) => String(byte % 10)).join('');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
