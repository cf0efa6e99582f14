import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { EntityManager } from 'typeorm';
import { queryRows } from '../../common/database/sql';

export interface MirroredRefundInput {
  accountId: string;
  chargeId: string;
  paymentId: string;
  kind: 'refund' | 'chargeback';
  origin: 'gateway_panel' | 'reconciliation';
  amount: Big;
  gatewayRefundId: string;
  reason: string | null;
}

export interface RefundRow {
  id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  amount: string;
  origin: string;
}

/**
 * Refund rows keyed by the gateway's refund id per payment, so that the synchronous API answer and the
 * later webhook (or a refund made in the gateway's own panel) are one refund, counted once.
 */
@Injectable()
export class RefundLedgerService {
  async findByGatewayRefund(manager: EntityManager, paymentId: string, gatewayRefundId: string): Promise<RefundRow | null> {
    const rows = await queryRows<RefundRow>(
      manager,
      `SELECT id, status, amount::text, origin FROM refunds WHERE payment_id = $1 AND gateway_refund_id = $2 FOR UPDATE`,
      [paymentId, gatewayRefundId],
    );
    return rows[0] ?? null;
  }

  /**
   * A pending refund we asked for whose gateway id we do not know yet (the webhook beat the synchronous answer):
   * the oldest one of the same amount on the payment takes the gateway's id.
   */
  async claimPendingRequest(manager: EntityManager, paymentId: string, amount: Big, gatewayRefundId: string): Promise<RefundRow | null> {
    const rows = await queryRows<RefundRow>(
      manager,
      `UPDATE refunds SET gateway_refund_id = $3, updated_at = now()
       WHERE id = (SELECT id FROM refunds WHERE payment_id = $1 AND status = 'pending' AND gateway_refund_id IS NULL AND amount = $2 ORDER BY seq LIMIT 1 FOR UPDATE)
       RETURNING id, status, amount::text, origin`,
      [paymentId, amount.toFixed(2), gatewayRefundId],
    );
    return rows[0] ?? null;
  }

  /** Inserts a succeeded refund seen at the gateway; its id, or null when it is already known. */
  async recordSucceeded(manager: EntityManager, refund: MirroredRefundInput): Promise<string | null> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO refunds (account_id, charge_id, payment_id, kind, origin, amount, status, gateway_refund_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6, 'succeeded', $7, $8) ON CONFLICT (payment_id, gateway_refund_id) DO NOTHING RETURNING id`,
      [refund.accountId, refund.chargeId, refund.paymentId, refund.kind, refund.origin, refund.amount.toFixed(2), refund.gatewayRefundId, refund.reason],
    );
    return rows[0]?.id ?? null;
  }

  /** A refund we asked for (pending) that the gateway now reports as done. */
  async markSucceeded(manager: EntityManager, refundId: string): Promise<boolean> {
    const rows = await queryRows(manager, `UPDATE refunds SET status = 'succeeded', updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`, [refundId]);
    return rows.length > 0;
  }

  async markFailed(manager: EntityManager, refundId: string, reason: string): Promise<boolean> {
    const rows = await queryRows(manager, `UPDATE refunds SET status = 'failed', failure_reason = $2, updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`, [refundId, reason]);
    return rows.length > 0;
  }

  async markCanceled(manager: EntityManager, refundId: string, reason: string): Promise<boolean> {
    const rows = await queryRows(manager, `UPDATE refunds SET status = 'canceled', failure_reason = $2, updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`, [refundId, reason]);
    return rows.length > 0;
  }

  async succeededTotalForPayment(manager: EntityManager, paymentId: string): Promise<Big> {
    const rows = await queryRows<{ total: string }>(manager, `SELECT coalesce(sum(amount), 0)::text AS total FROM refunds WHERE payment_id = $1 AND status = 'succeeded'`, [paymentId]);
    return new Big(rows[0].total);
  }
}
