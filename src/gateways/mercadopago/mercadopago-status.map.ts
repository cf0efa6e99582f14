import { GatewayError, GatewayPaymentStatus, GatewayRefundStatus } from '../contract/payment-gateway';
import { MP_PAYMENT_STATUSES, MP_REFUND_STATUSES, MpPaymentStatus, MpRefundStatus } from './mercadopago.types';

/**
 * Mercado Pago payment `status` (+ `status_detail`) → normalized status.
 *
 * `status` is a closed set and drives the mapping; `status_detail` is an open set (enums.json notes),
 * so it only refines a few statuses and never causes an error on its own.
 *
 * Decisions:
 * - cancelled/expired → 'overdue': Mercado Pago cancels a pix or boleto that reached date_of_expiration
 *   unpaid. For the charge that means "the customer did not pay by the due date", the same business
 *   fact Asaas reports as OVERDUE. Unlike an Asaas OVERDUE payment, this object can no longer be paid:
 *   re-issuing means creating a new payment. Any other cancelled detail (by_collector, by_payer,
 *   by_admin, or the fixture's odd `accredited`) → 'canceled'.
 * - approved/partially_refunded → 'partially_refunded' (Mercado Pago keeps status approved after a
 *   partial refund). An approved payment with a refund still in process → 'refund_pending'.
 * - authorized (pending_capture) and in_process → 'processing': a decision is pending at Mercado Pago.
 * - in_mediation → 'chargeback': the buyer opened a dispute and the money is held until it is settled.
 * - charged_back/reimbursed → 'chargeback_reversed' (Mercado Pago covered the seller); other details
 *   (settled, in_process, …) → 'chargeback'.
 */
export function mapPaymentStatus(
  status: string,
  statusDetail: string | null | undefined,
  options: { hasPendingRefund?: boolean } = {},
): GatewayPaymentStatus {
  const known = asKnownPaymentStatus(status, statusDetail);
  switch (known) {
    case 'pending':
      return 'pending';
    case 'approved':
      return mapApproved(statusDetail, options.hasPendingRefund ?? false);
    case 'authorized':
    case 'in_process':
      return 'processing';
    case 'in_mediation':
      return 'chargeback';
    case 'rejected':
      return 'failed';
    case 'cancelled':
      return statusDetail === 'expired' ? 'overdue' : 'canceled';
    case 'refunded':
      return 'refunded';
    case 'charged_back':
      return statusDetail === 'reimbursed' ? 'chargeback_reversed' : 'chargeback';
    default:
      return assertNever(known, status);
  }
}

/** Whether money reached the seller at some point (amountPaid is meaningful). */
export function moneyWasReceived(status: string): boolean {
  return status === 'approved' || status === 'refunded' || status === 'charged_back' || status === 'in_mediation';
}

export function mapRefundStatus(status: string): GatewayRefundStatus {
  const known = asKnownRefundStatus(status);
  switch (known) {
    case 'approved':
      return 'succeeded';
    case 'in_process':
    case 'authorized':
      return 'pending';
    case 'rejected':
      return 'failed';
    case 'cancelled':
      return 'canceled';
    default:
      return assertNever(known, status);
  }
}

export function isPendingRefundStatus(status: string): boolean {
  return status === 'in_process' || status === 'authorized';
}

function mapApproved(statusDetail: string | null | undefined, hasPendingRefund: boolean): GatewayPaymentStatus {
  if (hasPendingRefund) return 'refund_pending';
  return statusDetail === 'partially_refunded' ? 'partially_refunded' : 'succeeded';
}

function asKnownPaymentStatus(status: string, statusDetail: string | null | undefined): MpPaymentStatus {
  if ((MP_PAYMENT_STATUSES as readonly string[]).includes(status)) return status as MpPaymentStatus;
  throw new GatewayError('unknown_status', 'mercadopago', `unknown payment status "${status}" (status_detail "${statusDetail ?? ''}")`);
}

function asKnownRefundStatus(status: string): MpRefundStatus {
  if ((MP_REFUND_STATUSES as readonly string[]).includes(status)) return status as MpRefundStatus;
  throw new GatewayError('unknown_status', 'mercadopago', `unknown refund status "${status}"`);
}

function assertNever(value: never, raw: string): never {
  throw new GatewayError('unknown_status', 'mercadopago', `unhandled status "${raw}" (${String(value)})`);
}
