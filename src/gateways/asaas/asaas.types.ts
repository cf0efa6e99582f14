/**
 * Asaas API v3 wire types (field names exactly as Asaas sends them).
 * Sources: ../shared/reference/gateways/asaas (enums.json, examples/*.json, the pt-BR OpenAPI fragment).
 * Status-like fields are typed `string` on the wire on purpose: Asaas may add values, and the status maps
 * must see the raw value to reject what they do not know.
 */

/** PaymentGetResponsePaymentStatus from the spec, plus AUTHORIZED (card pre-authorization; the spec omits it). */
export const ASAAS_PAYMENT_STATUSES = [
  'PENDING',
  'RECEIVED',
  'CONFIRMED',
  'OVERDUE',
  'REFUNDED',
  'RECEIVED_IN_CASH',
  'REFUND_REQUESTED',
  'REFUND_IN_PROGRESS',
  'CHARGEBACK_REQUESTED',
  'CHARGEBACK_DISPUTE',
  'AWAITING_CHARGEBACK_REVERSAL',
  'DUNNING_REQUESTED',
  'DUNNING_RECEIVED',
  'AWAITING_RISK_ANALYSIS',
  'AUTHORIZED',
] as const;
export type AsaasPaymentStatus = (typeof ASAAS_PAYMENT_STATUSES)[number];

/** PaymentRefundGetResponsePaymentRefundStatus. */
export const ASAAS_REFUND_STATUSES = [
  'PENDING',
  'AWAITING_CRITICAL_ACTION_AUTHORIZATION',
  'AWAITING_CUSTOMER_EXTERNAL_AUTHORIZATION',
  'CANCELLED',
  'DONE',
] as const;
export type AsaasRefundStatus = (typeof ASAAS_REFUND_STATUSES)[number];

/** Accepted by POST /v3/payments. */
export const ASAAS_CREATE_BILLING_TYPES = ['UNDEFINED', 'BOLETO', 'CREDIT_CARD', 'PIX'] as const;
export type AsaasCreateBillingType = (typeof ASAAS_CREATE_BILLING_TYPES)[number];

/** Seen in responses: money that entered the account by other means shows up as a payment too. */
export type AsaasBillingType = AsaasCreateBillingType | 'DEBIT_CARD' | 'TRANSFER' | 'DEPOSIT';

export type AsaasWebhookSendType = 'SEQUENTIALLY' | 'NON_SEQUENTIALLY';

/** ErrorResponseDTO: every 400/401 body. */
export interface AsaasErrorBody {
  errors: AsaasErrorItem[];
}

export interface AsaasErrorItem {
  code: string;
  description: string;
}

/** The list envelope of every GET collection endpoint. */
export interface AsaasList<T> {
  object: 'list';
  hasMore: boolean;
  totalCount: number;
  limit: number;
  offset: number;
  data: T[];
}

export interface AsaasDeleteResponse {
  deleted: boolean;
  id: string;
}

export interface AsaasCommercialInfo {
  status?: string | null;
  personType?: 'FISICA' | 'JURIDICA' | null;
  cpfCnpj?: string | null;
  name?: string | null;
  companyName?: string | null;
  tradingName?: string | null;
  email?: string | null;
}

export interface AsaasAccountStatus {
  id: string;
  commercialInfo: string;
  bankAccountInfo: string;
  documentation: string;
  general: string;
}

export interface AsaasCustomerCreateRequest {
  name: string;
  cpfCnpj: string;
  email?: string;
  mobilePhone?: string;
  externalReference?: string;
  notificationDisabled?: boolean;
}

export interface AsaasCustomer {
  object: 'customer';
  id: string;
  dateCreated: string;
  name: string;
  email: string | null;
  phone: string | null;
  mobilePhone: string | null;
  cpfCnpj: string;
  personType: 'FISICA' | 'JURIDICA';
  deleted: boolean;
  externalReference: string | null;
  notificationDisabled: boolean;
  [extra: string]: unknown;
}

export interface AsaasValueConfig {
  value: number;
  type?: 'FIXED' | 'PERCENTAGE';
}

export interface AsaasDiscountConfig extends AsaasValueConfig {
  dueDateLimitDays?: number;
  limitDate?: string | null;
}

export interface AsaasPaymentCreateRequest {
  customer: string;
  billingType: AsaasCreateBillingType;
  /** Single charge: the value. Omitted when installmentCount is sent. */
  value?: number;
  dueDate: string;
  description?: string;
  externalReference?: string;
  /** 2 or more only; with totalValue (Asaas splits it, remainder on the last) or installmentValue. */
  installmentCount?: number;
  totalValue?: number;
  installmentValue?: number;
  discount?: AsaasDiscountConfig;
  /** Percent of the value, once, after the due date. */
  fine?: AsaasValueConfig;
  /** Percent per month, pro rata, after the due date. */
  interest?: AsaasValueConfig;
  postalService?: boolean;
}

/** One refund inside payment.refunds and GET /payments/{id}/refunds. Asaas gives refunds no id. */
export interface AsaasRefund {
  dateCreated: string | null;
  status: string;
  value: number;
  description?: string | null;
  endToEndIdentifier?: string | null;
  effectiveDate?: string | null;
  transactionReceiptUrl?: string | null;
  refundedSplits?: unknown[] | null;
}

export interface AsaasCreditCardInfo {
  creditCardNumber: string | null;
  creditCardBrand: string | null;
  creditCardToken?: string | null;
}

export interface AsaasChargebackInfo {
  id?: string;
  status: string;
  reason: string | null;
  [extra: string]: unknown;
}

/** The payment object: POST/GET /payments, POST /payments/{id}/refund, and webhook `payment`. */
export interface AsaasPayment {
  object: 'payment';
  id: string;
  dateCreated: string;
  customer: string;
  subscription?: string | null;
  installment?: string | null;
  paymentLink?: string | null;
  /** Current value; after a late payment it includes interest and fine, after a discount it is the discounted value. */
  value: number;
  netValue?: number | null;
  /** Filled only when `value` differs from what was set at creation (interest/fine or discount applied). */
  originalValue?: number | null;
  /** Interest + fine together (Asaas does not split them). */
  interestValue?: number | null;
  description?: string | null;
  billingType: string;
  status: string;
  dueDate: string;
  originalDueDate?: string | null;
  paymentDate?: string | null;
  clientPaymentDate?: string | null;
  confirmedDate?: string | null;
  creditDate?: string | null;
  estimatedCreditDate?: string | null;
  installmentNumber?: number | null;
  invoiceUrl: string | null;
  invoiceNumber?: string | null;
  bankSlipUrl?: string | null;
  transactionReceiptUrl?: string | null;
  nossoNumero?: string | null;
  externalReference: string | null;
  deleted: boolean;
  anticipated?: boolean;
  anticipable?: boolean;
  canBePaidAfterDueDate?: boolean;
  pixTransaction?: string | null;
  pixQrCodeId?: string | null;
  postalService?: boolean;
  creditCard?: AsaasCreditCardInfo | null;
  discount?: AsaasDiscountConfig | null;
  fine?: AsaasValueConfig | null;
  interest?: AsaasValueConfig | null;
  chargeback?: AsaasChargebackInfo | null;
  refunds?: AsaasRefund[] | null;
  [extra: string]: unknown;
}

export interface AsaasRefundRequest {
  /** Omit for a full refund. */
  value?: number;
  description?: string;
}

export interface AsaasPixQrCode {
  /** PNG, base64 (the docs example carries a stray leading '='). */
  encodedImage: string;
  /** BR Code "copia e cola". */
  payload: string;
  /** 'yyyy-MM-dd HH:mm:ss', America/Sao_Paulo. */
  expirationDate: string | null;
}

export interface AsaasIdentificationField {
  /** 47-digit linha digitável. */
  identificationField: string;
  nossoNumero: string;
  /** 44-digit barcode. */
  barCode: string;
}

export interface AsaasWebhookConfigRequest {
  name: string;
  url: string;
  email: string;
  enabled: boolean;
  interrupted: boolean;
  apiVersion: 3;
  authToken: string | null;
  sendType: AsaasWebhookSendType;
  events: string[];
}

export interface AsaasWebhookConfig extends Omit<AsaasWebhookConfigRequest, 'events'> {
  id: string;
  /** An array; the OpenAPI example wrongly shows a string, so readers must accept both. */
  events: string[] | string;
}

/** Body POSTed by Asaas to the webhook URL. */
export interface AsaasWebhookEvent {
  /** 'evt_<hex>&<n>': unique per event, duplicates can be delivered. */
  id?: string;
  event: string;
  /** 'yyyy-MM-dd HH:mm:ss'. */
  dateCreated?: string;
  payment?: AsaasPayment;
  subscription?: Record<string, unknown>;
  [extra: string]: unknown;
}
