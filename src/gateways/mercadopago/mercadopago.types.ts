/**
 * Mercado Pago API v1 wire shapes, limited to the fields this adapter reads or writes.
 * Field names are Mercado Pago's own (snake_case); amounts are JSON numbers in major units (BRL).
 * Shapes follow the official SDK fixtures under shared/reference/gateways/mercadopago/examples.
 */

/** Every payment `status` Mercado Pago documents (enums.json `payment_status`). */
export const MP_PAYMENT_STATUSES = [
  'pending',
  'approved',
  'authorized',
  'in_process',
  'in_mediation',
  'rejected',
  'cancelled',
  'refunded',
  'charged_back',
] as const;
export type MpPaymentStatus = (typeof MP_PAYMENT_STATUSES)[number];

/** Refund statuses (`approved` is the one the SDK fixtures show; the others appear in the refunds API docs). */
export const MP_REFUND_STATUSES = ['approved', 'in_process', 'authorized', 'rejected', 'cancelled'] as const;
export type MpRefundStatus = (typeof MP_REFUND_STATUSES)[number];

export type MpIdentificationType = 'CPF' | 'CNPJ';

/** `{message, error, status, cause:[{code, description}]}` — e.g. payment_card_token_error.json. */
export interface MpErrorBody {
  message?: string;
  error?: string;
  status?: number;
  cause?: Array<{ code?: number | string; description?: string; data?: string }> | null;
}

export interface MpIdentification {
  type: string | null;
  number: string | null;
}

export interface MpPayerAddress {
  zip_code?: string;
  street_name?: string;
  street_number?: string;
  neighborhood?: string;
  city?: string;
  federal_unit?: string;
}

/** `payer` of `POST /v1/payments`. */
export interface MpPaymentPayerRequest {
  email?: string;
  first_name?: string;
  last_name?: string;
  identification?: { type: MpIdentificationType; number: string };
  address?: MpPayerAddress;
}

/** Body of `POST /v1/payments` for pix and boleto (bolbradesco). */
export interface MpCreatePaymentRequest {
  transaction_amount: number;
  description: string;
  payment_method_id: 'pix' | 'bolbradesco';
  payer: MpPaymentPayerRequest;
  external_reference: string;
  notification_url: string;
  /** ISO 8601 with offset, e.g. 2026-12-01T23:59:59.000-03:00. */
  date_of_expiration: string;
  installments?: number;
}

export interface MpTransactionData {
  qr_code?: string | null;
  qr_code_base64?: string | null;
  ticket_url?: string | null;
  bank_transfer_id?: number | string | null;
  transaction_id?: string | null;
}

export interface MpPointOfInteraction {
  type?: string;
  business_info?: { unit?: string; sub_unit?: string };
  transaction_data?: MpTransactionData;
}

export interface MpTransactionDetails {
  payment_method_reference_id?: string | null;
  acquirer_reference?: string | null;
  verification_code?: string | null;
  payable_deferral_period?: string | null;
  net_received_amount?: number | null;
  total_paid_amount?: number | null;
  overpaid_amount?: number | null;
  external_resource_url?: string | null;
  installment_amount?: number | null;
  financial_institution?: string | null;
  /** Present in newer boleto responses; absent from the 2023 SDK fixture. */
  digitable_line?: string | null;
  barcode?: { content?: string | null } | null;
}

export interface MpRefund {
  id: number;
  payment_id: number;
  amount: number;
  metadata?: Record<string, unknown>;
  source?: { id: string; name: string; type: string } | null;
  date_created: string | null;
  unique_sequence_number?: string | null;
  refund_mode?: string;
  adjustment_amount?: number;
  status: string;
  reason?: string | null;
  labels?: string[];
  partition_details?: unknown[];
}

/** Response of `GET/POST/PUT /v1/payments[/{id}]` and one element of the search `results`. */
export interface MpPayment {
  id: number;
  date_created: string | null;
  date_approved: string | null;
  date_last_updated: string | null;
  date_of_expiration: string | null;
  money_release_date?: string | null;
  operation_type?: string;
  payment_method_id: string;
  payment_type_id: string;
  status: string;
  status_detail: string | null;
  currency_id: string;
  description: string | null;
  live_mode: boolean;
  collector_id: number;
  payer?: {
    id?: string | null;
    email?: string | null;
    first_name?: string | null;
    last_name?: string | null;
    identification?: MpIdentification | null;
    type?: string | null;
    entity_type?: string | null;
  } | null;
  metadata?: Record<string, unknown>;
  external_reference: string | null;
  transaction_amount: number;
  transaction_amount_refunded: number;
  coupon_amount?: number;
  installments?: number;
  barcode?: { content?: string | null } | null;
  transaction_details?: MpTransactionDetails | null;
  fee_details?: Array<{ type: string; amount: number; fee_payer: string }>;
  captured?: boolean;
  binary_mode?: boolean;
  notification_url: string | null;
  refunds?: MpRefund[];
  point_of_interaction?: MpPointOfInteraction | null;
}

/** `GET /v1/payments/search` envelope. */
export interface MpPaymentSearchResponse {
  paging: { total: number; limit: number; offset: number };
  results: MpPayment[];
}

export interface MpPreferenceItem {
  id?: string;
  title: string;
  description?: string;
  quantity: number;
  unit_price: number;
  currency_id: 'BRL';
}

/** Body of `POST /checkout/preferences` (Checkout Pro). */
export interface MpCreatePreferenceRequest {
  items: MpPreferenceItem[];
  payer: {
    name?: string;
    surname?: string;
    email?: string;
    identification?: { type: MpIdentificationType; number: string };
  };
  external_reference: string;
  notification_url: string;
  payment_methods: {
    excluded_payment_types: Array<{ id: string }>;
    excluded_payment_methods?: Array<{ id: string }>;
    installments: number;
  };
  expires: boolean;
  expiration_date_to: string;
  statement_descriptor?: string;
}

/** Body of `PUT /checkout/preferences/{id}` used to close a hosted checkout. */
export interface MpExpirePreferenceRequest {
  expires: true;
  expiration_date_to: string;
}

export interface MpPreference {
  id: string;
  client_id?: string;
  collector_id: number;
  date_created: string | null;
  expires: boolean;
  expiration_date_from: string | null;
  expiration_date_to: string | null;
  external_reference: string | null;
  init_point: string;
  sandbox_init_point: string;
  items: Array<MpPreferenceItem & { category_id?: string; picture_url?: string }>;
  notification_url: string | null;
  operation_type?: string;
  payer?: Record<string, unknown> | null;
  payment_methods?: {
    default_card_id?: string | null;
    default_payment_method_id?: string | null;
    excluded_payment_types?: Array<{ id: string }>;
    excluded_payment_methods?: Array<{ id: string }>;
    installments?: number | null;
    default_installments?: number | null;
  } | null;
  site_id?: string;
  last_updated?: string | null;
}

/** One element of `GET /checkout/preferences/search` (a summary: no init_point). */
export interface MpPreferenceSummary {
  id: string;
  collector_id: number;
  date_created: string | null;
  expires: boolean;
  expiration_date_from: string | null;
  expiration_date_to: string | null;
  external_reference: string | null;
  items: string[];
  last_updated: string | null;
  live_mode: boolean;
  operation_type: string;
  payer_email: string | null;
  site_id: string;
}

/** `GET /checkout/preferences/search` envelope. */
export interface MpPreferenceSearchResponse {
  elements: MpPreferenceSummary[];
  next_offset: number;
  total: number;
}

/** `GET /users/me` (response_user_user_base.json), trimmed. */
export interface MpUser {
  id: number;
  nickname: string | null;
  first_name?: string | null;
  last_name?: string | null;
  email: string | null;
  site_id?: string;
  country_id?: string;
}

/** Webhooks notification body (webhook-notification-payment.json). */
export interface MpNotificationBody {
  id?: number | string;
  live_mode?: boolean;
  type?: string;
  date_created?: string;
  user_id?: number | string;
  api_version?: string;
  action?: string;
  data?: { id?: string | number };
  /** Legacy IPN body: `{resource, topic}`. */
  resource?: string;
  topic?: string;
}
