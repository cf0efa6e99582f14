import { RefundRecord } from './refunds.repository';

export interface RefundView {
  id: string;
  chargeId: string;
  amount: number;
  status: RefundRecord['status'];
  kind: RefundRecord['kind'];
  origin: RefundRecord['origin'];
  destination: RefundRecord['destination'];
  reason: string | null;
  failureReason: string | null;
  gatewayRefundId: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toRefundView(refund: RefundRecord): RefundView {
  return {
    id: refund.id,
    chargeId: refund.charge_id,
    amount: Number(refund.amount),
    status: refund.status,
    kind: refund.kind,
    origin: refund.origin,
    destination: refund.destination,
    reason: refund.reason,
    failureReason: refund.failure_reason,
    gatewayRefundId: refund.gateway_refund_id,
    createdAt: refund.created_at.toISOString(),
    updatedAt: refund.updated_at.toISOString(),
  };
}
