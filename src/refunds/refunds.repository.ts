import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../common/database/sql';

export interface RefundRecord {
  id: string;
  seq: string;
  account_id: string;
  charge_id: string;
  payment_id: string | null;
  kind: 'refund' | 'chargeback';
  origin: 'api' | 'gateway_panel' | 'reconciliation';
  destination: 'gateway' | 'credit';
  amount: string;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  gateway_refund_id: string | null;
  reason: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewRefund {
  accountId: string;
  chargeId: string;
  paymentId: string | null;
  destination: 'gateway' | 'credit';
  amount: Big;
  status: 'pending' | 'succeeded';
  reason: string | null;
  idempotencyKey: string | null;
}

@Injectable()
export class RefundsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, refund: NewRefund): Promise<RefundRecord> {
    const rows = await queryRows<RefundRecord>(
      manager,
      `INSERT INTO refunds (account_id, charge_id, payment_id, origin, destination, amount, status, reason, idempotency_key)
       VALUES ($1, $2, $3, 'api', $4, $5, $6, $7, $8) RETURNING *`,
      [refund.accountId, refund.chargeId, refund.paymentId, refund.destination, refund.amount.toFixed(2), refund.status, refund.reason, refund.idempotencyKey],
    );
    return rows[0];
  }

  async find(id: string, manager: EntityManager = this.dataSource.manager): Promise<RefundRecord | null> {
    const rows = await queryRows<RefundRecord>(manager, `SELECT * FROM refunds WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findByIdempotencyKey(accountId: string, key: string): Promise<RefundRecord | null> {
    const rows = await queryRows<RefundRecord>(this.dataSource, `SELECT * FROM refunds WHERE account_id = $1 AND idempotency_key = $2`, [accountId, key]);
    return rows[0] ?? null;
  }

  listForCharge(chargeId: string): Promise<RefundRecord[]> {
    return queryRows<RefundRecord>(this.dataSource, `SELECT * FROM refunds WHERE charge_id = $1 ORDER BY seq DESC`, [chargeId]);
  }

  /** Pending refunds of a charge, per payment (null: refunds to credit, which are never pending). */
  async pendingByPayment(manager: EntityManager, chargeId: string): Promise<Map<string | null, Big>> {
    const rows = await queryRows<{ payment_id: string | null; total: string }>(
      manager,
      `SELECT payment_id, sum(amount)::text AS total FROM refunds WHERE charge_id = $1 AND status = 'pending' GROUP BY payment_id`,
      [chargeId],
    );
    return new Map(rows.map((row) => [row.payment_id, new Big(row.total)]));
  }

  async setGatewayRefundId(manager: EntityManager, id: string, gatewayRefundId: string): Promise<void> {
    await manager.query(`UPDATE refunds SET gateway_refund_id = coalesce(gateway_refund_id, $2), updated_at = now() WHERE id = $1`, [id, gatewayRefundId]);
  }

  /** Pending gateway refunds older than the threshold: their charges get a status sync. */
  async chargesWithStalePendingRefunds(olderThanMinutes: number, limit: number): Promise<string[]> {
    const rows = await queryRows<{ charge_id: string }>(
      this.dataSource,
      `SELECT DISTINCT charge_id FROM refunds WHERE status = 'pending' AND updated_at < now() - make_interval(mins => $1) LIMIT $2`,
      [olderThanMinutes, limit],
    );
    return rows.map((row) => row.charge_id);
  }
}
