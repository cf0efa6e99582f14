import axios, { AxiosRequestConfig } from 'axios';
import Big from 'big.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  BoletoArtifact,
  CreateGatewayChargeInput,
  GatewayAccountInfo,
  GatewayCapabilities,
  GatewayChargeResult,
  GatewayContext,
  GatewayCustomerInput,
  GatewayError,
  GatewayErrorKind,
  GatewayObjectRef,
  GatewayPaymentState,
  GatewayPaymentStatus,
  GatewayRefundState,
  ParsedWebhookEvent,
  PaymentGateway,
  PaymentMethod,
  PixArtifact,
  RawWebhookRequest,
  RefundInput,
  WebhookRegistration,
} from '../contract/payment-gateway';
import {
  billingTypeForMethods,
  mapAsaasBillingType,
  mapAsaasPaymentStatus,
  mapAsaasRefundStatus,
  methodsForBillingType,
  webhookCategory,
} from './asaas-status.map';
import {
  AsaasCommercialInfo,
  AsaasCustomer,
  AsaasCustomerCreateRequest,
  AsaasDeleteResponse,
  AsaasErrorBody,
  AsaasIdentificationField,
  AsaasList,
  AsaasPayment,
  AsaasPaymentCreateRequest,
  AsaasPixQrCode,
  AsaasRefund,
  AsaasRefundRequest,
  AsaasWebhookConfig,
  AsaasWebhookConfigRequest,
  AsaasWebhookEvent,
} from './asaas.types';

export interface AsaasAdapterConfig {
  /** e.g. https://api-sandbox.asaas.com/v3 */
  sandboxUrl: string;
  /** e.g. https://api.asaas.com/v3 */
  productionUrl: string;
  /** Asaas requires a User-Agent from root accounts created since 2024-06-13. */
  userAgent?: string;
  timeoutMs?: number;
}

/** The PAYMENT_* events this module consumes; registered on every webhook we create. */
export const ASAAS_WEBHOOK_EVENTS = [
  'PAYMENT_CREATED',
  'PAYMENT_UPDATED',
  'PAYMENT_CONFIRMED',
  'PAYMENT_RECEIVED',
  'PAYMENT_OVERDUE',
  'PAYMENT_DELETED',
  'PAYMENT_RESTORED',
  'PAYMENT_REFUNDED',
  'PAYMENT_PARTIALLY_REFUNDED',
  'PAYMENT_REFUND_IN_PROGRESS',
  'PAYMENT_REFUND_DENIED',
  'PAYMENT_CHARGEBACK_REQUESTED',
  'PAYMENT_CHARGEBACK_DISPUTE',
  'PAYMENT_AWAITING_CHARGEBACK_REVERSAL',
  'PAYMENT_RECEIVED_IN_CASH_UNDONE',
  'PAYMENT_CREDIT_CARD_CAPTURE_REFUSED',
  'PAYMENT_AWAITING_RISK_ANALYSIS',
  'PAYMENT_REPROVED_BY_RISK_ANALYSIS',
] as const;

export const ASAAS_CAPABILITIES: GatewayCapabilities = {
  paymentMethods: ['pix', 'boleto', 'card'],
  partialRefund: true,
  maxInstallments: {
    pix: 1,
    // The references document no boleto limit; 12 is the conservative figure (the historic limit for every method).
    boleto: 12,
    // 21x only for Visa and Mastercard, 12x for every other brand. The brand is only known on the hosted
    // invoice page, which enforces it, so 21 is the upper bound we accept.
    card: 21,
  },
  registersWebhookByApi: true,
  sendsOverdueEvents: true,
};

const DEFAULT_USER_AGENT = 'conversalabs-payments/0.1';
const DEFAULT_TIMEOUT_MS = 30_000;
const PAGE_SIZE = 100;
const MAX_PAGES = 50;
const ZERO = new Big(0);
const MONEY_RECEIVED: ReadonlySet<GatewayPaymentStatus> = new Set<GatewayPaymentStatus>([
  'succeeded',
  'refund_pending',
  'refunded',
  'partially_refunded',
  'chargeback',
  'chargeback_reversed',
]);
const PAYABLE_STATUSES: ReadonlySet<string> = new Set(['PENDING', 'OVERDUE']);

/**
 * Asaas API v3 adapter. Asaas has no idempotency keys, so every create is preceded by a look-up
 * (customers by cpfCnpj, payments by externalReference, refunds by a tag in their description).
 *
 * Installments: Asaas creates one payment per installment under one `installment` id and answers the
 * create with the first one; createCharge returns every installment payment as an object (ordered by
 * installmentNumber) and builds checkoutUrl/pix/boleto from the first.
 */
export class AsaasAdapter implements PaymentGateway {
  readonly provider = 'asaas' as const;
  readonly capabilities = ASAAS_CAPABILITIES;

  constructor(private readonly config: AsaasAdapterConfig) {}

  async validateCredentials(ctx: GatewayContext): Promise<GatewayAccountInfo> {
    return toAccountInfo(await this.commercialInfo(ctx));
  }

  /** Re-registering the same URL updates that webhook (new authToken, queue un-interrupted) instead of adding one. */
  async registerWebhook(ctx: GatewayContext, registration: WebhookRegistration): Promise<string> {
    const email = registration.email ?? (await this.commercialInfo(ctx)).email;
    if (!email) throw new GatewayError('validation', 'asaas', 'Asaas requires an e-mail for webhook failure notices');
    const body = toWebhookConfigRequest(ctx.connectionId, registration, email);
    const existing = await this.findWebhookByUrl(ctx, registration.url);
    const saved = existing
      ? await this.request<AsaasWebhookConfig>(ctx, { method: 'PUT', url: `/webhooks/${encodeURIComponent(existing.id)}`, data: body })
      : await this.request<AsaasWebhookConfig>(ctx, { method: 'POST', url: '/webhooks', data: body });
    return saved.id;
  }

  async ensureCustomer(ctx: GatewayContext, customer: GatewayCustomerInput): Promise<string> {
    const cpfCnpj = digitsOnly(customer.cpfCnpj);
    // An empty filter would list every customer of the account.
    if (cpfCnpj.length === 0) throw new GatewayError('validation', 'asaas', 'the customer cpfCnpj is required');
    const existing = await this.findCustomerByCpfCnpj(ctx, cpfCnpj);
    if (existing) return existing.id;
    const created = await this.request<AsaasCustomer>(ctx, {
      method: 'POST',
      url: '/customers',
      data: toCustomerCreateRequest(customer, cpfCnpj),
    });
    return created.id;
  }

  /** Safe to retry: a charge already created under the same reference is returned instead of a new one. */
  async createCharge(ctx: GatewayContext, input: CreateGatewayChargeInput): Promise<GatewayChargeResult> {
    assertInstallmentsAllowed(input);
    const existing = await this.paymentsByReference(ctx, input.reference);
    if (existing.length > 0) return this.toChargeResult(ctx, input.reference, existing, input.methods, existing);

    const customerId = input.gatewayCustomerId ?? (await this.ensureCustomer(ctx, input.customer));
    const created = await this.request<AsaasPayment>(ctx, {
      method: 'POST',
      url: '/payments',
      data: toPaymentCreateRequest(input, customerId),
    });
    const installments = created.installment ? await this.installmentPayments(ctx, created.installment) : [];
    return this.toChargeResult(ctx, input.reference, installments.length > 0 ? installments : [created], input.methods, created);
  }

  async findChargeByReference(ctx: GatewayContext, reference: string): Promise<GatewayChargeResult | null> {
    const payments = await this.paymentsByReference(ctx, reference);
    if (payments.length === 0) return null;
    const methods = [...new Set(payments.flatMap((payment) => methodsForBillingType(payment.billingType)))];
    return this.toChargeResult(ctx, reference, payments, methods, payments);
  }

  async getPayment(ctx: GatewayContext, gatewayPaymentId: string): Promise<GatewayPaymentState> {
    return toGatewayPaymentState(await this.asaasPayment(ctx, gatewayPaymentId));
  }

  async listPaymentsByReference(ctx: GatewayContext, reference: string): Promise<GatewayPaymentState[]> {
    const payments = await this.paymentsByReference(ctx, reference);
    return payments.map(toGatewayPaymentState);
  }

  /** DELETE per payment; one already gone (404) counts as cancelled. */
  async cancelCharge(ctx: GatewayContext, objects: GatewayObjectRef[]): Promise<void> {
    for (const object of objects.filter((candidate) => candidate.kind === 'payment')) {
      try {
        await this.request<AsaasDeleteResponse>(ctx, { method: 'DELETE', url: `/payments/${encodeURIComponent(object.id)}` });
      } catch (error) {
        if (!(error instanceof GatewayError && error.kind === 'not_found')) throw error;
      }
    }
  }

  /**
   * Asaas refunds carry no id and the endpoint takes no idempotency key, so the key goes into the refund
   * description as a tag; a retry finds its own refund instead of refunding twice.
   */
  async refund(ctx: GatewayContext, input: RefundInput): Promise<GatewayRefundState> {
    const tag = refundTag(input.idempotencyKey);
    const before = await this.asaasPayment(ctx, input.gatewayPaymentId);
    const previous = toGatewayRefundStates(before.id, before.refunds ?? []);
    const alreadyRequested = findTaggedRefund(before.id, before.refunds ?? [], tag);
    if (alreadyRequested) return alreadyRequested;

    const after = await this.request<AsaasPayment>(ctx, {
      method: 'POST',
      url: `/payments/${encodeURIComponent(before.id)}/refund`,
      data: refundRequest(input, tag),
    });
    const refunds = after.refunds?.length ? after.refunds : await this.refundList(ctx, after.id);
    return (
      findTaggedRefund(after.id, refunds, tag) ??
      toGatewayRefundStates(after.id, refunds)[previous.length] ??
      refundFromPaymentStatus(after, input, previous.length)
    );
  }

  verifyWebhook(ctx: GatewayContext, request: RawWebhookRequest): boolean {
    const expected = ctx.credentials.webhookAuthToken;
    const received = headerValue(request.headers, 'asaas-access-token');
    if (!expected || received === null) return false;
    // Hashing first makes both sides 32 bytes, which timingSafeEqual requires, without leaking the length.
    return timingSafeEqual(sha256(received), sha256(expected));
  }

  parseWebhook(request: RawWebhookRequest): ParsedWebhookEvent {
    const body = parseWebhookBody(request.rawBody);
    const payment = body.payment ? toGatewayPaymentState(body.payment) : null;
    return {
      providerEventId: body.id ? body.id : sha256(request.rawBody).toString('hex'),
      eventType: body.event,
      category: webhookCategory(body.event),
      gatewayPaymentId: body.payment?.id ?? null,
      externalReference: body.payment?.externalReference ?? null,
      payment,
    };
  }

  private async toChargeResult(
    ctx: GatewayContext,
    reference: string,
    payments: AsaasPayment[],
    methods: readonly PaymentMethod[],
    raw: unknown,
  ): Promise<GatewayChargeResult> {
    const ordered = [...payments].sort(byInstallmentThenDueDate);
    const first = ordered[0];
    const payable = PAYABLE_STATUSES.has(first.status) && !first.deleted;
    return {
      reference,
      objects: ordered.map(toObjectRef),
      checkoutUrl: first.invoiceUrl ?? null,
      pix: payable && methods.includes('pix') ? await this.pixArtifact(ctx, first.id) : null,
      boleto: payable && methods.includes('boleto') ? await this.boletoArtifact(ctx, first) : null,
      raw,
    };
  }

  private async pixArtifact(ctx: GatewayContext, paymentId: string): Promise<PixArtifact> {
    return toPixArtifact(
      await this.request<AsaasPixQrCode>(ctx, { method: 'GET', url: `/payments/${encodeURIComponent(paymentId)}/pixQrCode` }),
    );
  }

  private async boletoArtifact(ctx: GatewayContext, payment: AsaasPayment): Promise<BoletoArtifact> {
    const field = await this.request<AsaasIdentificationField>(ctx, {
      method: 'GET',
      url: `/payments/${encodeURIComponent(payment.id)}/identificationField`,
    });
    return toBoletoArtifact(payment, field);
  }

  private async commercialInfo(ctx: GatewayContext): Promise<AsaasCommercialInfo> {
    return this.request<AsaasCommercialInfo>(ctx, { method: 'GET', url: '/myAccount/commercialInfo/' });
  }

  private async findWebhookByUrl(ctx: GatewayContext, url: string): Promise<AsaasWebhookConfig | null> {
    const webhooks = await this.listAll<AsaasWebhookConfig>(ctx, '/webhooks', {});
    return webhooks.find((webhook) => webhook.url === url) ?? null;
  }

  private async findCustomerByCpfCnpj(ctx: GatewayContext, cpfCnpj: string): Promise<AsaasCustomer | null> {
    const page = await this.request<AsaasList<AsaasCustomer>>(ctx, {
      method: 'GET',
      url: '/customers',
      params: { cpfCnpj, offset: 0, limit: PAGE_SIZE },
    });
    // Matched again locally: reusing someone else's customer because a filter was ignored would be far worse than a duplicate.
    return page.data.find((customer) => !customer.deleted && digitsOnly(customer.cpfCnpj ?? '') === cpfCnpj) ?? null;
  }

  private async asaasPayment(ctx: GatewayContext, paymentId: string): Promise<AsaasPayment> {
    return this.request<AsaasPayment>(ctx, { method: 'GET', url: `/payments/${encodeURIComponent(paymentId)}` });
  }

  /** Live payments carrying our reference, checked again locally so a loose filter can never hand back another charge. */
  private async paymentsByReference(ctx: GatewayContext, reference: string): Promise<AsaasPayment[]> {
    const payments = await this.listAll<AsaasPayment>(ctx, '/payments', { externalReference: reference });
    return payments.filter((payment) => !payment.deleted && payment.externalReference === reference);
  }

  private async installmentPayments(ctx: GatewayContext, installmentId: string): Promise<AsaasPayment[]> {
    return this.listAll<AsaasPayment>(ctx, `/installments/${encodeURIComponent(installmentId)}/payments`, {});
  }

  private async refundList(ctx: GatewayContext, paymentId: string): Promise<AsaasRefund[]> {
    return this.listAll<AsaasRefund>(ctx, `/payments/${encodeURIComponent(paymentId)}/refunds`, {});
  }

  private async listAll<T>(ctx: GatewayContext, url: string, filter: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const params = { ...filter, offset: items.length, limit: PAGE_SIZE };
      const list = await this.request<AsaasList<T>>(ctx, { method: 'GET', url, params });
      items.push(...list.data);
      if (!list.hasMore || list.data.length === 0) return items;
    }
    throw new GatewayError('unexpected', 'asaas', `more than ${MAX_PAGES * PAGE_SIZE} items at ${url}`);
  }

  private async request<T>(ctx: GatewayContext, request: AxiosRequestConfig): Promise<T> {
    const apiKey = ctx.credentials.apiKey;
    if (!apiKey) throw new GatewayError('invalid_credentials', 'asaas', 'no Asaas API key on this connection');
    try {
      const response = await axios.request<T>({
        ...request,
        baseURL: ctx.environment === 'production' ? this.config.productionUrl : this.config.sandboxUrl,
        timeout: this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        headers: {
          access_token: apiKey,
          'User-Agent': this.config.userAgent ?? DEFAULT_USER_AGENT,
          Accept: 'application/json',
          ...(request.data === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
      });
      return response.data;
    } catch (error) {
      throw toGatewayError(error);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Mappers (pure; exported for the reference-payload tests)
// ---------------------------------------------------------------------------------------------------------

/**
 * Normalizes an Asaas payment object.
 * - amount: `originalValue` once money came in with interest/fine (Asaas then raises `value`), else `value`.
 * - amountPaid: `value` once money came in (it includes interest and fine); netValue (after fees) is ignored.
 * - interestAmount: `interestValue`, which Asaas reports as interest AND fine together; fineAmount stays 0
 *   because Asaas never reports the fine alone.
 * - Partial refunds keep the Asaas status (RECEIVED/CONFIRMED), so they are read from `refunds`.
 */
export function toGatewayPaymentState(payment: AsaasPayment): GatewayPaymentState {
  const baseStatus = mapAsaasPaymentStatus(payment.status);
  const received = MONEY_RECEIVED.has(baseStatus);
  const refunds = toGatewayRefundStates(payment.id, payment.refunds ?? []);
  const amountPaid = received ? money(payment.value, 'value') : null;
  const amountRefunded = refunds.filter((refund) => refund.status === 'succeeded').reduce((total, refund) => total.plus(refund.amount), ZERO);
  return {
    gatewayPaymentId: payment.id,
    externalReference: payment.externalReference ?? null,
    status: refineStatus(baseStatus, payment, refunds, amountPaid, amountRefunded),
    providerStatus: payment.status,
    method: mapAsaasBillingType(payment.billingType),
    amount: received && payment.originalValue != null ? money(payment.originalValue, 'originalValue') : money(payment.value, 'value'),
    amountPaid,
    interestAmount: payment.interestValue == null ? ZERO : money(payment.interestValue, 'interestValue'),
    fineAmount: ZERO,
    amountRefunded,
    paidAt: received ? payment.clientPaymentDate ?? payment.confirmedDate ?? payment.paymentDate ?? null : null,
    dueDate: payment.dueDate ?? null,
    refunds,
    raw: payment,
  };
}

/**
 * Asaas refunds have no id: ours is `<paymentId>:refund:<n>`, n counting refunds by dateCreated (ties keep
 * Asaas order), so the same refund gets the same id from payment.refunds and from GET /refunds.
 */
export function toGatewayRefundStates(paymentId: string, refunds: AsaasRefund[]): GatewayRefundState[] {
  return chronological(refunds).map((refund, index) => ({
    gatewayRefundId: `${paymentId}:refund:${index + 1}`,
    status: mapAsaasRefundStatus(refund.status),
    providerStatus: refund.status,
    amount: money(refund.value, 'refunds[].value'),
    createdAt: refund.dateCreated ? saoPauloDateTimeToIso(refund.dateCreated) : null,
  }));
}

export function toAccountInfo(info: AsaasCommercialInfo): GatewayAccountInfo {
  return {
    externalAccountId: info.email ?? info.cpfCnpj ?? null,
    name: info.tradingName ?? info.companyName ?? info.name ?? null,
  };
}

export function toPixArtifact(qr: AsaasPixQrCode): PixArtifact {
  return { copyPaste: qr.payload, qrCodePng: cleanBase64Png(qr.encodedImage), expiresAt: saoPauloDateTimeToIso(qr.expirationDate) };
}

export function toBoletoArtifact(payment: Pick<AsaasPayment, 'bankSlipUrl'>, field: AsaasIdentificationField): BoletoArtifact {
  return { url: payment.bankSlipUrl ?? null, digitableLine: field.identificationField, barcode: field.barCode };
}

function refineStatus(
  baseStatus: GatewayPaymentStatus,
  payment: AsaasPayment,
  refunds: GatewayRefundState[],
  amountPaid: Big | null,
  amountRefunded: Big,
): GatewayPaymentStatus {
  if (payment.deleted) return 'canceled';
  if (baseStatus !== 'succeeded') return baseStatus;
  if (refunds.some((refund) => refund.status === 'pending')) return 'refund_pending';
  if (amountRefunded.lte(0)) return baseStatus;
  return amountPaid !== null && amountRefunded.gte(amountPaid) ? 'refunded' : 'partially_refunded';
}

function chronological(refunds: AsaasRefund[]): AsaasRefund[] {
  return refunds
    .map((refund, index) => ({ refund, index }))
    .sort((a, b) => (a.refund.dateCreated ?? '').localeCompare(b.refund.dateCreated ?? '') || a.index - b.index)
    .map(({ refund }) => refund);
}

/** The latest live refund carrying our tag (a cancelled one may be followed by a retry with the same tag). */
function findTaggedRefund(paymentId: string, refunds: AsaasRefund[], tag: string): GatewayRefundState | null {
  const states = toGatewayRefundStates(paymentId, refunds);
  const ordered = chronological(refunds);
  for (let index = ordered.length - 1; index >= 0; index--) {
    if (ordered[index].description?.includes(tag) && states[index].status !== 'canceled') return states[index];
  }
  return null;
}

/** Last resort when Asaas answers without the refund list: infer the refund from the payment status. */
function refundFromPaymentStatus(payment: AsaasPayment, input: RefundInput, position: number): GatewayRefundState {
  const status = mapAsaasPaymentStatus(payment.status);
  if (status !== 'refunded' && status !== 'refund_pending') {
    throw new GatewayError('unexpected', 'asaas', `refund of ${payment.id} answered status ${payment.status} without refunds`);
  }
  return {
    gatewayRefundId: `${payment.id}:refund:${position + 1}`,
    status: status === 'refunded' ? 'succeeded' : 'pending',
    providerStatus: payment.status,
    amount: input.amount ?? money(payment.value, 'value'),
    createdAt: null,
  };
}

function toObjectRef(payment: AsaasPayment): GatewayObjectRef {
  const method = mapAsaasBillingType(payment.billingType);
  return { kind: 'payment', id: payment.id, method: method === 'other' ? 'undefined' : method };
}

function byInstallmentThenDueDate(a: AsaasPayment, b: AsaasPayment): number {
  return (a.installmentNumber ?? 0) - (b.installmentNumber ?? 0) || a.dueDate.localeCompare(b.dueDate);
}

// ---------------------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------------------

function assertInstallmentsAllowed(input: CreateGatewayChargeInput): void {
  if (input.methods.length === 0) throw new GatewayError('validation', 'asaas', 'at least one payment method is required');
  const allowed = Math.max(...input.methods.map((method) => ASAAS_CAPABILITIES.maxInstallments[method]));
  if (!Number.isInteger(input.installments) || input.installments < 1 || input.installments > allowed) {
    throw new GatewayError('validation', 'asaas', `${input.installments} installments not allowed for ${input.methods.join('/')} (max ${allowed})`);
  }
}

export function toPaymentCreateRequest(input: CreateGatewayChargeInput, customerId: string): AsaasPaymentCreateRequest {
  const common = {
    customer: customerId,
    billingType: billingTypeForMethods(input.methods),
    dueDate: input.dueDate,
    description: input.description,
    externalReference: input.reference,
  };
  // Asaas: installment fields only for 2+ installments; a single charge sends `value` alone.
  if (input.installments > 1) return { ...common, installmentCount: input.installments, totalValue: toWireAmount(input.amount) };
  return { ...common, value: toWireAmount(input.amount) };
}

export function toCustomerCreateRequest(customer: GatewayCustomerInput, cpfCnpj: string): AsaasCustomerCreateRequest {
  const mobilePhone = brazilianPhone(customer.phone);
  return {
    name: customer.name,
    cpfCnpj,
    ...(customer.email ? { email: customer.email } : {}),
    ...(mobilePhone ? { mobilePhone } : {}),
    externalReference: customer.externalReference,
  };
}

function refundRequest(input: RefundInput, tag: string): AsaasRefundRequest {
  const description = `${input.description ?? 'Estorno'} ${tag}`;
  return input.amount === undefined ? { description } : { value: toWireAmount(input.amount), description };
}

export function toWebhookConfigRequest(connectionId: string, registration: WebhookRegistration, email: string): AsaasWebhookConfigRequest {
  return {
    name: `ConversaLabs Payments ${connectionId}`,
    url: registration.url,
    email,
    enabled: true,
    interrupted: false,
    apiVersion: 3,
    authToken: registration.authToken,
    sendType: 'SEQUENTIALLY',
    events: [...ASAAS_WEBHOOK_EVENTS],
  };
}

function refundTag(idempotencyKey: string): string {
  return `[ref:${idempotencyKey}]`;
}

// ---------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------

/** Never carries request config or headers: the API key must not reach logs through an error. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (!axios.isAxiosError(error)) {
    return new GatewayError('unexpected', 'asaas', error instanceof Error ? error.message : String(error));
  }
  if (error.response) return httpError(error.response.status, error.response.data);
  if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') {
    return new GatewayError('timeout', 'asaas', 'Asaas did not answer in time', null, error.code);
  }
  return new GatewayError('unavailable', 'asaas', `network error talking to Asaas (${error.code ?? 'unknown'})`, null, error.code ?? null);
}

/** An Asaas HTTP answer ({"errors":[{code,description}]} or anything else) as a GatewayError. */
export function httpError(status: number, data: unknown): GatewayError {
  const first = isErrorBody(data) ? data.errors[0] : undefined;
  const message = first?.description ?? `HTTP ${status}`;
  return new GatewayError(errorKindForStatus(status), 'asaas', message, status, first?.code ?? null);
}

function errorKindForStatus(status: number): GatewayErrorKind {
  if (status === 401 || status === 403) return 'invalid_credentials';
  if (status === 400 || status === 422) return 'validation';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'unexpected';
}

function isErrorBody(data: unknown): data is AsaasErrorBody {
  return typeof data === 'object' && data !== null && Array.isArray((data as AsaasErrorBody).errors) && (data as AsaasErrorBody).errors.length > 0;
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------

function parseWebhookBody(rawBody: Buffer): AsaasWebhookEvent & { event: string } {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new GatewayError('validation', 'asaas', 'webhook body is not JSON');
  }
  if (typeof body !== 'object' || body === null || typeof (body as AsaasWebhookEvent).event !== 'string') {
    throw new GatewayError('validation', 'asaas', 'webhook body has no event');
  }
  return body as AsaasWebhookEvent & { event: string };
}

function money(value: unknown, field: string): Big {
  if ((typeof value !== 'number' || !Number.isFinite(value)) && typeof value !== 'string') {
    throw new GatewayError('unexpected', 'asaas', `Asaas sent no usable amount in ${field}`);
  }
  try {
    return new Big(String(value));
  } catch {
    throw new GatewayError('unexpected', 'asaas', `Asaas sent an invalid amount in ${field}`);
  }
}

function toWireAmount(amount: Big): number {
  return Number(amount.toFixed(2));
}

function digitsOnly(value: string): string {
  return value.replace(/\D/g, '');
}

/** Asaas wants DDD + number (10 or 11 digits); chat numbers come as +55…. Anything else is left out. */
function brazilianPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const digits = digitsOnly(phone);
  const national = digits.length >= 12 && digits.startsWith('55') ? digits.slice(2) : digits;
  return national.length === 10 || national.length === 11 ? national : null;
}

/** 'yyyy-MM-dd HH:mm:ss' in America/Sao_Paulo (UTC-3, no DST since 2019) -> ISO instant. */
function saoPauloDateTimeToIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  return new Date(`${match[1]}T${match[2] ?? '00:00:00'}-03:00`).toISOString();
}

/** The docs example starts with a stray '='; base64 never does, so leading '=' and any data: prefix go. */
function cleanBase64Png(encodedImage: string | null | undefined): string | null {
  if (!encodedImage) return null;
  return encodedImage.replace(/^data:image\/png;base64,/, '').replace(/^=+/, '');
}

function headerValue(headers: RawWebhookRequest['headers'], name: string): string | null {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : null;
}

function sha256(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}
