import { createHash } from 'node:crypto';
import axios, { AxiosInstance, AxiosRequestConfig } from 'axios';
import Big from 'big.js';
import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';
import {
  BoletoArtifact,
  CreateGatewayChargeInput,
  GatewayAccountInfo,
  GatewayCapabilities,
  GatewayChargeResult,
  GatewayContext,
  GatewayCustomerInput,
  GatewayEnvironment,
  GatewayError,
  GatewayErrorKind,
  GatewayObjectRef,
  GatewayPaymentState,
  GatewayRefundState,
  ParsedWebhookEvent,
  PaymentGateway,
  PaymentMethod,
  PixArtifact,
  RawWebhookRequest,
  RefundInput,
  WebhookRegistration,
} from '../contract/payment-gateway';
import { digitableLineFromBarcode } from '../shared/boleto';
import { verifyMercadoPagoSignature } from './mercadopago-signature';
import { isPendingRefundStatus, mapPaymentStatus, mapRefundStatus, moneyWasReceived } from './mercadopago-status.map';
import {
  MpCreatePaymentRequest,
  MpCreatePreferenceRequest,
  MpErrorBody,
  MpExpirePreferenceRequest,
  MpIdentificationType,
  MpNotificationBody,
  MpPayment,
  MpPayerAddress,
  MpPaymentPayerRequest,
  MpPaymentSearchResponse,
  MpPreference,
  MpPreferenceSearchResponse,
  MpRefund,
  MpUser,
} from './mercadopago.types';

export interface MercadoPagoAdapterOptions {
  /** https://api.mercadopago.com, or a simulator's baseUrl. */
  apiUrl: string;
  timeoutMs?: number;
  /**
   * Replay window for webhook signatures. Unset by default: Mercado Pago re-delivers failed
   * notifications for a long time and the inbox de-duplicates on providerEventId anyway.
   */
  webhookToleranceSeconds?: number;
}

const PROVIDER = 'mercadopago';
const SAO_PAULO = 'America/Sao_Paulo';
const MP_TIMESTAMP = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
const CARD_MAX_INSTALLMENTS = 12;
/** Checkout Pro is used for cards only: pix (bank_transfer) and boleto (ticket) get their own payments. */
const NON_CARD_PAYMENT_TYPES = ['ticket', 'bank_transfer'];
const SEARCH_PAGE_SIZE = 100;
const SEARCH_MAX_PAGES = 10;

/**
 * Mercado Pago API v1 adapter: pix and boleto as `POST /v1/payments`, card as a Checkout Pro preference.
 * A plain class; the NestJS wiring lives elsewhere.
 */
export class MercadoPagoAdapter implements PaymentGateway {
  readonly provider = PROVIDER;
  readonly capabilities: GatewayCapabilities = {
    paymentMethods: ['pix', 'boleto', 'card'],
    partialRefund: true,
    maxInstallments: { card: CARD_MAX_INSTALLMENTS, boleto: 1, pix: 1 },
    registersWebhookByApi: false,
    sendsOverdueEvents: false,
  };
  private readonly http: AxiosInstance;

  constructor(private readonly options: MercadoPagoAdapterOptions) {
    this.http = axios.create({
      baseURL: options.apiUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 15_000,
      headers: { Accept: 'application/json' },
    });
  }

  async validateCredentials(ctx: GatewayContext): Promise<GatewayAccountInfo> {
    return accountInfoFrom(await this.call<MpUser>(ctx, { method: 'GET', url: '/users/me' }));
  }

  /** Mercado Pago has no webhook-registration API for this flow: every payment carries notification_url. */
  async registerWebhook(_ctx: GatewayContext, _registration: WebhookRegistration): Promise<string | null> {
    return null;
  }

  /**
   * Payments API v1 takes the payer inline in every payment/preference, and Mercado Pago's Customers API
   * is only needed for saved cards, which this module does not use. Keeping no customer at Mercado Pago
   * also means nothing to keep in sync when the customer's data changes.
   */
  async ensureCustomer(_ctx: GatewayContext, _customer: GatewayCustomerInput): Promise<string | null> {
    return null;
  }

  /**
   * One Mercado Pago object per method, each with an idempotency key derived from the charge's key and
   * the method: if a later method fails, retrying the whole call returns the objects already created
   * instead of duplicating them.
   */
  async createCharge(ctx: GatewayContext, input: CreateGatewayChargeInput): Promise<GatewayChargeResult> {
    assertChargeInput(input);
    const payments: MpPayment[] = [];
    const preferences: MpPreference[] = [];
    for (const method of unique(input.methods)) {
      if (method === 'card') preferences.push(await this.createPreference(ctx, input));
      else payments.push(await this.createPayment(ctx, input, method));
    }
    return chargeResultFrom(ctx.environment, input.reference, payments, preferences);
  }

  async findChargeByReference(ctx: GatewayContext, reference: string): Promise<GatewayChargeResult | null> {
    const payments = await this.searchPayments(ctx, reference);
    const preferences = await this.findPreferences(ctx, reference);
    if (payments.length === 0 && preferences.length === 0) return null;
    const withArtifacts = await this.withFullArtifactPayments(ctx, payments);
    return chargeResultFrom(ctx.environment, reference, withArtifacts, preferences);
  }

  async getPayment(ctx: GatewayContext, gatewayPaymentId: string): Promise<GatewayPaymentState> {
    return toPaymentState(await this.fetchPayment(ctx, gatewayPaymentId));
  }

  async listPaymentsByReference(ctx: GatewayContext, reference: string): Promise<GatewayPaymentState[]> {
    const payments = await this.searchPayments(ctx, reference);
    return payments.map(toPaymentState);
  }

  async cancelCharge(ctx: GatewayContext, objects: GatewayObjectRef[]): Promise<void> {
    for (const object of objects) {
      if (object.kind === 'checkout') await this.expirePreference(ctx, object.id);
      else await this.cancelPayment(ctx, object.id);
    }
  }

  async refund(ctx: GatewayContext, input: RefundInput): Promise<GatewayRefundState> {
    const refund = await this.call<MpRefund>(ctx, {
      method: 'POST',
      url: `/v1/payments/${encodeURIComponent(input.gatewayPaymentId)}/refunds`,
      // Full refund = no body at all, as in Mercado Pago's docs; partial = {amount}.
      data: input.amount ? { amount: toWireAmount(input.amount) } : undefined,
      headers: { 'X-Idempotency-Key': input.idempotencyKey },
    });
    return toRefundState(refund);
  }

  verifyWebhook(ctx: GatewayContext, request: RawWebhookRequest): boolean {
    return verifyMercadoPagoSignature({
      secret: ctx.credentials.webhookSecret,
      xSignature: headerValue(request, 'x-signature'),
      xRequestId: headerValue(request, 'x-request-id'),
      dataId: request.query['data.id'],
      toleranceSeconds: this.options.webhookToleranceSeconds,
    });
  }

  /** The notification is only a pointer (type + data.id): the worker re-fetches the payment. */
  parseWebhook(request: RawWebhookRequest): ParsedWebhookEvent {
    const body = parseNotificationBody(request.rawBody);
    const type = body.type ?? body.topic ?? request.query.type ?? request.query.topic ?? 'unknown';
    const resourceId = stringOrNull(body.data?.id) ?? lastPathSegment(body.resource) ?? request.query['data.id'] ?? (request.query.topic ? request.query.id : undefined) ?? null;
    const action = body.action ?? type;
    const category = notificationCategory(type);
    return {
      providerEventId: stringOrNull(body.id) ?? `${action}:${resourceId ?? ''}:${headerValue(request, 'x-request-id') ?? ''}`,
      eventType: action,
      category,
      gatewayPaymentId: category === 'payment' ? resourceId : null,
      externalReference: null,
      payment: null,
    };
  }

  private async createPayment(ctx: GatewayContext, input: CreateGatewayChargeInput, method: 'pix' | 'boleto'): Promise<MpPayment> {
    const body: MpCreatePaymentRequest = {
      transaction_amount: toWireAmount(input.amount),
      description: input.description,
      payment_method_id: method === 'pix' ? 'pix' : 'bolbradesco',
      payer: paymentPayer(input.customer),
      external_reference: input.reference,
      notification_url: input.notificationUrl,
      date_of_expiration: endOfDueDate(input.dueDate),
    };
    return this.call<MpPayment>(ctx, {
      method: 'POST',
      url: '/v1/payments',
      data: body,
      headers: { 'X-Idempotency-Key': deriveIdempotencyKey(input.idempotencyKey, method) },
    });
  }

  private async createPreference(ctx: GatewayContext, input: CreateGatewayChargeInput): Promise<MpPreference> {
    const { first, last } = splitName(input.customer.name);
    const body: MpCreatePreferenceRequest = {
      items: [{ id: input.reference, title: input.description, quantity: 1, unit_price: toWireAmount(input.amount), currency_id: 'BRL' }],
      payer: { name: first, surname: last, email: input.customer.email ?? undefined, identification: identification(input.customer.cpfCnpj) },
      external_reference: input.reference,
      notification_url: input.notificationUrl,
      payment_methods: {
        excluded_payment_types: NON_CARD_PAYMENT_TYPES.map((id) => ({ id })),
        installments: input.installments,
      },
      expires: true,
      expiration_date_to: endOfDueDate(input.dueDate),
    };
    return this.call<MpPreference>(ctx, {
      method: 'POST',
      url: '/checkout/preferences',
      data: body,
      headers: { 'X-Idempotency-Key': deriveIdempotencyKey(input.idempotencyKey, 'card') },
    });
  }

  private async fetchPayment(ctx: GatewayContext, gatewayPaymentId: string): Promise<MpPayment> {
    return this.call<MpPayment>(ctx, { method: 'GET', url: `/v1/payments/${encodeURIComponent(gatewayPaymentId)}` });
  }

  /** Newest first; pages until Mercado Pago reports no more results (bounded). */
  private async searchPayments(ctx: GatewayContext, reference: string): Promise<MpPayment[]> {
    const found: MpPayment[] = [];
    for (let page = 0; page < SEARCH_MAX_PAGES; page++) {
      const offset = page * SEARCH_PAGE_SIZE;
      const response = await this.call<MpPaymentSearchResponse>(ctx, {
        method: 'GET',
        url: '/v1/payments/search',
        params: { external_reference: reference, sort: 'date_created', criteria: 'desc', limit: SEARCH_PAGE_SIZE, offset },
      });
      found.push(...response.results);
      if (response.results.length < SEARCH_PAGE_SIZE || offset + SEARCH_PAGE_SIZE >= response.paging.total) break;
    }
    return found;
  }

  /** The search returns summaries without init_point, so each match is read in full. */
  private async findPreferences(ctx: GatewayContext, reference: string): Promise<MpPreference[]> {
    const response = await this.call<MpPreferenceSearchResponse>(ctx, {
      method: 'GET',
      url: '/checkout/preferences/search',
      params: { external_reference: reference },
    });
    const matching = response.elements.filter((element) => element.external_reference === reference);
    return Promise.all(matching.map((element) => this.fetchPreference(ctx, element.id)));
  }

  private async fetchPreference(ctx: GatewayContext, preferenceId: string): Promise<MpPreference> {
    return this.call<MpPreference>(ctx, { method: 'GET', url: `/checkout/preferences/${encodeURIComponent(preferenceId)}` });
  }

  /** Search results are not guaranteed to carry point_of_interaction/barcode, so artifact payments are re-read. */
  private async withFullArtifactPayments(ctx: GatewayContext, payments: MpPayment[]): Promise<MpPayment[]> {
    const chosen = new Set([pickArtifactPayment(payments, 'pix'), pickArtifactPayment(payments, 'boleto')].filter(Boolean));
    return Promise.all(payments.map((payment) => (chosen.has(payment) ? this.fetchPayment(ctx, String(payment.id)) : payment)));
  }

  /** An already cancelled payment counts as success, so that a retried cancel is harmless. */
  private async cancelPayment(ctx: GatewayContext, gatewayPaymentId: string): Promise<void> {
    try {
      await this.call<MpPayment>(ctx, {
        method: 'PUT',
        url: `/v1/payments/${encodeURIComponent(gatewayPaymentId)}`,
        data: { status: 'cancelled' },
      });
    } catch (error) {
      if (!(error instanceof GatewayError) || error.kind !== 'validation') throw error;
      const current = await this.fetchPayment(ctx, gatewayPaymentId);
      if (current.status !== 'cancelled') throw error;
    }
  }

  /** A preference cannot be deleted; closing its validity window stops new payments through it. */
  private async expirePreference(ctx: GatewayContext, preferenceId: string): Promise<void> {
    const body: MpExpirePreferenceRequest = { expires: true, expiration_date_to: formatInTimeZone(new Date(), SAO_PAULO, MP_TIMESTAMP) };
    await this.call<MpPreference>(ctx, { method: 'PUT', url: `/checkout/preferences/${encodeURIComponent(preferenceId)}`, data: body });
  }

  /** Every HTTP call: bearer token, timeout, errors translated; the token never reaches an error or log. */
  private async call<T>(ctx: GatewayContext, config: AxiosRequestConfig): Promise<T> {
    const token = ctx.credentials.accessToken;
    if (!token) throw new GatewayError('invalid_credentials', PROVIDER, 'no Mercado Pago access token configured for this connection');
    try {
      const response = await this.http.request<T>({
        ...config,
        headers: { ...(config.headers ?? {}), Authorization: `Bearer ${token}` },
      });
      return response.data;
    } catch (error) {
      throw toGatewayError(error);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Request building

function assertChargeInput(input: CreateGatewayChargeInput): void {
  if (input.methods.length === 0) throw validationError('at least one payment method is required');
  if (!Number.isInteger(input.installments) || input.installments < 1) throw validationError('installments must be a positive integer');
  if (input.installments > 1 && !input.methods.includes('card')) throw validationError('installments are only available for card');
  if (input.installments > CARD_MAX_INSTALLMENTS) throw validationError(`at most ${CARD_MAX_INSTALLMENTS} installments`);
}

function paymentPayer(customer: GatewayCustomerInput): MpPaymentPayerRequest {
  const { first, last } = splitName(customer.name);
  return { email: customer.email ?? undefined, first_name: first, last_name: last, identification: identification(customer.cpfCnpj), address: payerAddress(customer.address) };
}

function payerAddress(address: GatewayCustomerInput['address']): MpPayerAddress | undefined {
  if (!address) return undefined;
  return {
    zip_code: address.postalCode,
    street_name: address.street,
    street_number: address.number,
    neighborhood: address.neighborhood,
    city: address.city,
    federal_unit: address.state,
  };
}

function identification(cpfCnpj: string): { type: MpIdentificationType; number: string } {
  const digits = cpfCnpj.replace(/\D/g, '');
  if (digits.length === 11) return { type: 'CPF', number: digits };
  if (digits.length === 14) return { type: 'CNPJ', number: digits };
  throw validationError('cpfCnpj must have 11 (CPF) or 14 (CNPJ) digits');
}

/** Mercado Pago wants first and last name apart; a single-word name is repeated rather than sent empty. */
export function splitName(name: string): { first: string; last: string } {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0] ?? '';
  return { first, last: words.length > 1 ? words.slice(1).join(' ') : first };
}

/** End of the due date in São Paulo, with its offset: 2026-12-01 → 2026-12-01T23:59:59.000-03:00. */
export function endOfDueDate(dueDate: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dueDate)) throw validationError(`dueDate must be YYYY-MM-DD, got "${dueDate}"`);
  return formatInTimeZone(fromZonedTime(`${dueDate}T23:59:59.000`, SAO_PAULO), SAO_PAULO, MP_TIMESTAMP);
}

/**
 * Same charge key + method → same key, so a retried createCharge never creates a second object.
 * Hashed into UUID form to stay within Mercado Pago's key format whatever the caller's key looks like.
 */
export function deriveIdempotencyKey(chargeKey: string, method: PaymentMethod): string {
  const hex = createHash('sha256').update(`${chargeKey}:${method}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function toWireAmount(amount: Big): number {
  return Number(amount.round(2, Big.roundHalfUp).toFixed(2));
}

// ---------------------------------------------------------------------------------------------
// Response mapping (exported for the reference-fixture tests)

export function accountInfoFrom(user: MpUser): GatewayAccountInfo {
  const fullName = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return { externalAccountId: String(user.id), name: fullName || user.nickname || user.email || null };
}

/**
 * checkoutUrl: the open preference's init_point (sandbox_init_point in sandbox); without one, the pix
 * payment's hosted page (ticket_url), else the boleto page, so there is one link to send when any exists.
 */
export function chargeResultFrom(
  environment: GatewayEnvironment,
  reference: string,
  payments: MpPayment[],
  preferences: MpPreference[],
): GatewayChargeResult {
  const pixPayment = pickArtifactPayment(payments, 'pix');
  const boletoPayment = pickArtifactPayment(payments, 'boleto');
  const boleto = boletoPayment ? boletoArtifact(boletoPayment) : null;
  const checkout = preferences.find((preference) => !isClosed(preference));
  return {
    reference,
    objects: [...payments.map(paymentRef), ...preferences.map(preferenceRef)],
    checkoutUrl: (checkout && checkoutUrl(environment, checkout)) ?? pixPayment?.point_of_interaction?.transaction_data?.ticket_url ?? boleto?.url ?? null,
    pix: pixPayment ? pixArtifact(pixPayment) : null,
    boleto,
    raw: { payments, preferences },
  };
}

export function toPaymentState(payment: MpPayment): GatewayPaymentState {
  const refunds = (payment.refunds ?? []).map(toRefundState);
  const hasPendingRefund = (payment.refunds ?? []).some((refund) => isPendingRefundStatus(refund.status));
  const status = mapPaymentStatus(payment.status, payment.status_detail, { hasPendingRefund });
  const amount = toBig(payment.transaction_amount);
  const amountPaid = moneyWasReceived(payment.status) ? toBig(payment.transaction_details?.total_paid_amount ?? payment.transaction_amount) : null;
  return {
    gatewayPaymentId: String(payment.id),
    externalReference: payment.external_reference ?? null,
    status,
    providerStatus: payment.status_detail ? `${payment.status}/${payment.status_detail}` : payment.status,
    method: paymentMethodOf(payment),
    amount,
    amountPaid,
    // Mercado Pago does not split fine from interest: whatever was paid above the amount is reported as interest.
    interestAmount: amountPaid && amountPaid.gt(amount) ? amountPaid.minus(amount) : new Big(0),
    fineAmount: new Big(0),
    amountRefunded: toBig(payment.transaction_amount_refunded ?? 0),
    paidAt: amountPaid ? payment.date_approved : null,
    dueDate: payment.date_of_expiration ? formatInTimeZone(new Date(payment.date_of_expiration), SAO_PAULO, 'yyyy-MM-dd') : null,
    refunds,
    raw: payment,
  };
}

export function toRefundState(refund: MpRefund): GatewayRefundState {
  return {
    gatewayRefundId: String(refund.id),
    status: mapRefundStatus(refund.status),
    providerStatus: refund.status,
    amount: toBig(refund.amount),
    createdAt: refund.date_created ?? null,
  };
}

export function pixArtifact(payment: MpPayment): PixArtifact | null {
  const data = payment.point_of_interaction?.transaction_data;
  if (!data?.qr_code) return null;
  return {
    copyPaste: data.qr_code,
    qrCodePng: data.qr_code_base64 || null,
    expiresAt: payment.date_of_expiration ? new Date(payment.date_of_expiration).toISOString() : null,
  };
}

export function boletoArtifact(payment: MpPayment): BoletoArtifact {
  const details = payment.transaction_details;
  const barcode = onlyDigits(payment.barcode?.content ?? details?.barcode?.content);
  return {
    url: details?.external_resource_url || null,
    digitableLine: onlyDigits(details?.digitable_line) ?? (barcode ? digitableLineFromBarcode(barcode) : null),
    barcode,
  };
}

export function paymentMethodOf(payment: Pick<MpPayment, 'payment_method_id' | 'payment_type_id'>): GatewayPaymentState['method'] {
  if (payment.payment_method_id === 'pix') return 'pix';
  switch (payment.payment_type_id) {
    case 'ticket':
      return 'boleto';
    case 'credit_card':
    case 'debit_card':
    case 'prepaid_card':
      return 'card';
    default:
      return 'other';
  }
}

function paymentRef(payment: MpPayment): GatewayObjectRef {
  const method = paymentMethodOf(payment);
  return { kind: 'payment', id: String(payment.id), method: method === 'other' ? 'undefined' : method };
}

function preferenceRef(preference: MpPreference): GatewayObjectRef {
  return { kind: 'checkout', id: preference.id, method: 'card' };
}

function checkoutUrl(environment: GatewayEnvironment, preference: MpPreference): string | null {
  return (environment === 'production' ? preference.init_point : preference.sandbox_init_point) || null;
}

function isClosed(preference: MpPreference): boolean {
  return preference.expires && !!preference.expiration_date_to && new Date(preference.expiration_date_to).getTime() <= Date.now();
}

/** The newest payment of that method that can still be paid, else the newest one (search is newest first). */
function pickArtifactPayment(payments: MpPayment[], method: 'pix' | 'boleto'): MpPayment | undefined {
  const ofMethod = payments.filter((payment) => paymentMethodOf(payment) === method);
  return ofMethod.find((payment) => payment.status === 'pending') ?? ofMethod[0];
}

// ---------------------------------------------------------------------------------------------
// Webhooks

function parseNotificationBody(rawBody: Buffer): MpNotificationBody {
  const text = rawBody.toString('utf8').trim();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as MpNotificationBody) : {};
  } catch {
    throw validationError('webhook body is not valid JSON');
  }
}

function notificationCategory(type: string): ParsedWebhookEvent['category'] {
  if (type === 'payment') return 'payment';
  if (type === 'chargebacks' || type === 'topic_chargebacks_wh') return 'chargeback';
  if (type.startsWith('subscription_')) return 'subscription';
  return 'other';
}

/** IPN bodies point with `resource`: an id or a URL ending in the id. */
function lastPathSegment(resource: string | undefined): string | null {
  const segment = resource?.split('/').filter(Boolean).pop();
  return segment || null;
}

function headerValue(request: RawWebhookRequest, name: string): string | null {
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== name) continue;
    const first = Array.isArray(value) ? value[0] : value;
    return first ?? null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Errors and small helpers

export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (!axios.isAxiosError(error)) return new GatewayError('unexpected', PROVIDER, error instanceof Error ? error.message : String(error));
  if (!error.response) {
    const timedOut = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT';
    return new GatewayError(timedOut ? 'timeout' : 'unavailable', PROVIDER, timedOut ? 'request timed out' : `network error (${error.code ?? 'unknown'})`);
  }
  return errorFromResponse(error.response.status, error.response.data);
}

/** Mercado Pago's error body `{message, error, status, cause:[{code, description}]}` → GatewayError. */
export function errorFromResponse(status: number, data: unknown): GatewayError {
  const body = (data && typeof data === 'object' ? data : {}) as MpErrorBody;
  const firstCause = Array.isArray(body.cause) ? body.cause[0] : undefined;
  const code = firstCause?.code ?? body.error ?? null;
  return new GatewayError(errorKind(status), PROVIDER, describeError(body, status), status, code === null ? null : String(code));
}

/**
 * Only 401 means the token itself is bad (the caller then disables the connection). 403 is Mercado Pago's
 * "policy returned UNAUTHORIZED" for one resource or operation, so it is a request the account cannot make.
 */
function errorKind(status: number): GatewayErrorKind {
  if (status === 401) return 'invalid_credentials';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'unavailable';
  if (status >= 400) return 'validation';
  return 'unexpected';
}

function describeError(body: MpErrorBody, status: number): string {
  const causes = Array.isArray(body.cause) ? body.cause.map((cause) => cause.description).filter((text): text is string => !!text) : [];
  const parts = unique([body.message, ...causes].filter((text): text is string => typeof text === 'string' && text.length > 0));
  return parts.length > 0 ? parts.join('; ') : `HTTP ${status}`;
}

function validationError(message: string): GatewayError {
  return new GatewayError('validation', PROVIDER, message);
}

function toBig(value: number | string): Big {
  return new Big(value);
}

function onlyDigits(value: string | null | undefined): string | null {
  const digits = value?.replace(/\D/g, '') ?? '';
  return digits.length > 0 ? digits : null;
}

function stringOrNull(value: string | number | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : String(value);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

export { digitableLineFromBarcode };
