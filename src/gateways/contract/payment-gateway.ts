import Big from 'big.js';

/** Injection token for the registry of gateway adapters (one adapter per provider). */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');

export type ProviderId = 'asaas' | 'mercadopago';
export const PROVIDER_IDS: readonly ProviderId[] = ['asaas', 'mercadopago'];

export type GatewayEnvironment = 'sandbox' | 'production';
export type PaymentMethod = 'pix' | 'boleto' | 'card';

/** Decrypted secrets of one connection. Which fields are set depends on the provider. */
export interface GatewayCredentials {
  /** Asaas API key ($aact_...). */
  apiKey?: string;
  /** Mercado Pago access token. */
  accessToken?: string;
  /** Mercado Pago webhook secret (x-signature HMAC key). */
  webhookSecret?: string;
  /** Asaas: the random authToken registered with the webhook, echoed in `asaas-access-token`. */
  webhookAuthToken?: string;
}

/** Everything an adapter needs to call the gateway for one connection. */
export interface GatewayContext {
  connectionId: string;
  environment: GatewayEnvironment;
  credentials: GatewayCredentials;
}

export interface GatewayCapabilities {
  paymentMethods: PaymentMethod[];
  partialRefund: boolean;
  /** Max installments per method; 1 means no installments. */
  maxInstallments: Record<PaymentMethod, number>;
  /** Whether the adapter registers its webhook through the API (Asaas) or the user configures it (Mercado Pago). */
  registersWebhookByApi: boolean;
  /** Whether the gateway sends an "overdue" event itself; when false a scheduled job marks charges overdue. */
  sendsOverdueEvents: boolean;
}

export interface GatewayAccountInfo {
  /** Gateway-side account id or e-mail, for operators. */
  externalAccountId: string | null;
  name: string | null;
}

/** Postal address; Mercado Pago requires it on boleto payments. */
export interface GatewayAddress {
  /** CEP, digits only. */
  postalCode: string;
  street: string;
  number: string;
  neighborhood: string;
  city: string;
  /** UF, two letters. */
  state: string;
}

export interface GatewayCustomerInput {
  name: string;
  /** Digits only. */
  cpfCnpj: string;
  email?: string | null;
  phone?: string | null;
  address?: GatewayAddress | null;
  /** Our customer id. */
  externalReference: string;
}

export interface CreateGatewayChargeInput {
  /** Deterministic reference: our charge id (Asaas externalReference, Mercado Pago external_reference). */
  reference: string;
  /** Deterministic idempotency key for gateways that accept one (Mercado Pago X-Idempotency-Key). */
  idempotencyKey: string;
  /** Gateway customer id from ensureCustomer, when the gateway has customers (Asaas). */
  gatewayCustomerId: string | null;
  customer: GatewayCustomerInput;
  /** Total to charge, major units. */
  amount: Big;
  /** Calendar date YYYY-MM-DD in America/Sao_Paulo. */
  dueDate: string;
  methods: PaymentMethod[];
  installments: number;
  description: string;
  /** Where the gateway must send notifications for this charge (Mercado Pago notification_url). */
  notificationUrl: string;
}

export interface PixArtifact {
  copyPaste: string;
  /** PNG, base64 without data: prefix; null when the gateway gives none (render from copyPaste). */
  qrCodePng: string | null;
  /** ISO-8601 instant. */
  expiresAt: string | null;
}

export interface BoletoArtifact {
  url: string | null;
  digitableLine: string | null;
  barcode: string | null;
}

/** One object created at the gateway (Asaas: one payment; Mercado Pago: one payment per method or a preference). */
export interface GatewayObjectRef {
  /** 'payment' for a payable object with its own status; 'checkout' for a hosted checkout (preference). */
  kind: 'payment' | 'checkout';
  id: string;
  method: PaymentMethod | 'undefined';
}

export interface GatewayChargeResult {
  reference: string;
  objects: GatewayObjectRef[];
  checkoutUrl: string | null;
  pix: PixArtifact | null;
  boleto: BoletoArtifact | null;
  raw: unknown;
}

/**
 * Normalized state of one gateway payment.
 * `succeeded` means money was received (fully or partially: compare amountPaid with amount).
 */
export type GatewayPaymentStatus =
  | 'pending'
  | 'processing'
  | 'succeeded'
  | 'failed'
  | 'canceled'
  | 'overdue'
  | 'refund_pending'
  | 'refunded'
  | 'partially_refunded'
  | 'chargeback'
  | 'chargeback_reversed';

export interface GatewayPaymentState {
  gatewayPaymentId: string;
  externalReference: string | null;
  status: GatewayPaymentStatus;
  /** The provider's own status string, for logs and operators. */
  providerStatus: string;
  method: PaymentMethod | 'undefined' | 'other';
  /** Value charged (original, without interest/fine). */
  amount: Big;
  /** Money received, including interest and fine; null while nothing was received. */
  amountPaid: Big | null;
  interestAmount: Big;
  fineAmount: Big;
  amountRefunded: Big;
  paidAt: string | null;
  dueDate: string | null;
  refunds: GatewayRefundState[];
  raw: unknown;
}

export type GatewayRefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

export interface GatewayRefundState {
  gatewayRefundId: string;
  status: GatewayRefundStatus;
  providerStatus: string;
  amount: Big;
  createdAt: string | null;
}

export interface RefundInput {
  gatewayPaymentId: string;
  /** Omit for a full refund. */
  amount?: Big;
  idempotencyKey: string;
  description?: string;
}

export interface RawWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

export interface ParsedWebhookEvent {
  /** Unique per connection: the inbox de-duplicates on it. */
  providerEventId: string;
  /** The provider's event/topic name, e.g. PAYMENT_RECEIVED or payment.updated. */
  eventType: string;
  category: 'payment' | 'subscription' | 'refund' | 'chargeback' | 'other';
  gatewayPaymentId: string | null;
  externalReference: string | null;
  /** Present when the body carries a trustworthy state (Asaas); null when it is only a pointer (Mercado Pago). */
  payment: GatewayPaymentState | null;
}

export interface WebhookRegistration {
  url: string;
  authToken: string;
  email?: string | null;
}

/** A gateway adapter. Adapters own every provider detail; nothing else knows provider field names. */
export interface PaymentGateway {
  readonly provider: ProviderId;
  readonly capabilities: GatewayCapabilities;

  validateCredentials(ctx: GatewayContext): Promise<GatewayAccountInfo>;
  /** Returns the provider's webhook id, or null when the provider has no webhook API. */
  registerWebhook(ctx: GatewayContext, registration: WebhookRegistration): Promise<string | null>;
  /** Returns the gateway customer id, or null for gateways without customers for payments. */
  ensureCustomer(ctx: GatewayContext, customer: GatewayCustomerInput): Promise<string | null>;
  createCharge(ctx: GatewayContext, input: CreateGatewayChargeInput): Promise<GatewayChargeResult>;
  /** Look a charge up by our reference (crash recovery); null when nothing was created. */
  findChargeByReference(ctx: GatewayContext, reference: string): Promise<GatewayChargeResult | null>;
  getPayment(ctx: GatewayContext, gatewayPaymentId: string): Promise<GatewayPaymentState>;
  /** All gateway payments carrying our reference. */
  listPaymentsByReference(ctx: GatewayContext, reference: string): Promise<GatewayPaymentState[]>;
  cancelCharge(ctx: GatewayContext, objects: GatewayObjectRef[]): Promise<void>;
  refund(ctx: GatewayContext, input: RefundInput): Promise<GatewayRefundState>;
  /** Constant-time authenticity check on the raw request. */
  verifyWebhook(ctx: GatewayContext, request: RawWebhookRequest): boolean;
  parseWebhook(request: RawWebhookRequest): ParsedWebhookEvent;
}

export type GatewayErrorKind =
  | 'invalid_credentials'
  | 'validation'
  | 'not_found'
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'unknown_status'
  | 'unexpected';

/** The one domain error adapters throw. providerMessage is for operators, not end users. */
export class GatewayError extends Error {
  constructor(
    readonly kind: GatewayErrorKind,
    readonly provider: ProviderId,
    readonly providerMessage: string,
    readonly httpStatus: number | null = null,
    readonly providerCode: string | null = null,
  ) {
    super(`${provider} gateway error (${kind}): ${providerMessage}`);
    this.name = 'GatewayError';
  }

  /** Whether retrying the same call later may succeed. */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'timeout' || this.kind === 'rate_limited';
  }
}
