import {
  GatewayError,
  GatewayPaymentStatus,
  GatewayRefundStatus,
  ParsedWebhookEvent,
  PaymentMethod,
} from '../contract/payment-gateway';
import {
  ASAAS_PAYMENT_STATUSES,
  ASAAS_REFUND_STATUSES,
  AsaasCreateBillingType,
  AsaasPaymentStatus,
  AsaasRefundStatus,
} from './asaas.types';

/**
 * Asaas payment status -> normalized status. Exhaustive on purpose: a status Asaas adds later must fail
 * loudly (unknown_status) instead of being read as something it is not.
 */
export function mapAsaasPaymentStatus(status: string): GatewayPaymentStatus {
  if (!isAsaasPaymentStatus(status)) throw unknownStatus('payment', status);
  switch (status) {
    case 'PENDING':
      return 'pending';
    // Card pre-authorized (authorizeOnly) and waiting for capture, or held for manual risk review.
    case 'AUTHORIZED':
    case 'AWAITING_RISK_ANALYSIS':
      return 'processing';
    // CONFIRMED = paid, balance not yet available (card until settlement); it is still money received.
    case 'CONFIRMED':
    case 'RECEIVED':
    case 'RECEIVED_IN_CASH':
    case 'DUNNING_RECEIVED':
      return 'succeeded';
    // A dunning (negativação) is only requested for a charge that is already overdue.
    case 'OVERDUE':
    case 'DUNNING_REQUESTED':
      return 'overdue';
    case 'REFUND_REQUESTED':
    case 'REFUND_IN_PROGRESS':
      return 'refund_pending';
    case 'REFUNDED':
      return 'refunded';
    case 'CHARGEBACK_REQUESTED':
    case 'CHARGEBACK_DISPUTE':
      return 'chargeback';
    // "Disputa vencida, aguardando repasse da adquirente": the merchant won; the money is on its way back.
    case 'AWAITING_CHARGEBACK_REVERSAL':
      return 'chargeback_reversed';
    default:
      return assertNever(status);
  }
}

export function mapAsaasRefundStatus(status: string): GatewayRefundStatus {
  if (!isAsaasRefundStatus(status)) throw unknownStatus('refund', status);
  switch (status) {
    case 'PENDING':
    case 'AWAITING_CRITICAL_ACTION_AUTHORIZATION':
    case 'AWAITING_CUSTOMER_EXTERNAL_AUTHORIZATION':
      return 'pending';
    case 'DONE':
      return 'succeeded';
    case 'CANCELLED':
      return 'canceled';
    default:
      return assertNever(status);
  }
}

/** billingType -> method. UNDEFINED means the payer still chooses on the invoice page. */
export function mapAsaasBillingType(billingType: string): PaymentMethod | 'undefined' | 'other' {
  switch (billingType) {
    case 'PIX':
      return 'pix';
    case 'BOLETO':
      return 'boleto';
    case 'CREDIT_CARD':
    case 'DEBIT_CARD':
      return 'card';
    case 'UNDEFINED':
      return 'undefined';
    default:
      // TRANSFER, DEPOSIT and anything newer: money that did not come through one of our methods.
      return 'other';
  }
}

/** One method -> its billingType; several -> UNDEFINED (the payer picks on the hosted invoice). */
export function billingTypeForMethods(methods: readonly PaymentMethod[]): AsaasCreateBillingType {
  const distinct = [...new Set(methods)];
  if (distinct.length !== 1) return 'UNDEFINED';
  switch (distinct[0]) {
    case 'pix':
      return 'PIX';
    case 'boleto':
      return 'BOLETO';
    case 'card':
      return 'CREDIT_CARD';
    default:
      return assertNever(distinct[0]);
  }
}

/** Methods the payer can use on a payment with this billingType (what artifacts are worth fetching). */
export function methodsForBillingType(billingType: string): PaymentMethod[] {
  const method = mapAsaasBillingType(billingType);
  if (method === 'undefined') return ['pix', 'boleto', 'card'];
  if (method === 'other') return [];
  return [method];
}

/** Refund-family events must be tested before the generic PAYMENT_ prefix. */
export function webhookCategory(eventType: string): ParsedWebhookEvent['category'] {
  if (eventType.startsWith('PAYMENT_REFUND') || eventType === 'PAYMENT_PARTIALLY_REFUNDED') return 'refund';
  if (eventType.includes('CHARGEBACK')) return 'chargeback';
  if (eventType.startsWith('PAYMENT_')) return 'payment';
  if (eventType.startsWith('SUBSCRIPTION_')) return 'subscription';
  return 'other';
}

export function isAsaasPaymentStatus(value: string): value is AsaasPaymentStatus {
  return (ASAAS_PAYMENT_STATUSES as readonly string[]).includes(value);
}

export function isAsaasRefundStatus(value: string): value is AsaasRefundStatus {
  return (ASAAS_REFUND_STATUSES as readonly string[]).includes(value);
}

function unknownStatus(kind: 'payment' | 'refund', status: unknown): GatewayError {
  return new GatewayError('unknown_status', 'asaas', `unknown Asaas ${kind} status: ${JSON.stringify(status)}`);
}

function assertNever(value: never): never {
  throw new GatewayError('unknown_status', 'asaas', `unhandled Asaas value: ${JSON.stringify(value)}`);
}
