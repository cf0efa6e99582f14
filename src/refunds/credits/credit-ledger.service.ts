import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../common/database/sql';

export type CreditKind = 'overpayment' | 'already_paid' | 'refund_to_credit' | 'manual_adjustment' | 'applied_to_charge';

export interface CreditEntryInput {
  accountId: string;
  customerId: string;
  amount: Big;
  kind: CreditKind;
  description: string;
  chargeId: string | null;
  /** Unique per account: the same source never credits twice (webhook redelivery, retries). */
  sourceKey: string;
  createdBy?: string | null;
}

export interface CreditEntryView {
  id: string;
  amount: string;
  kind: CreditKind;
  description: string;
  chargeId: string | null;
  createdBy: string | null;
  createdAt: Date;
}

/** The append-only customer credit ledger; the balance is the sum of the entries. */
@Injectable()
export class CreditLedgerService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Returns false when an entry with the same source already exists. */
  async record(manager: EntityManager, entry: CreditEntryInput): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `INSERT INTO customer_credit_entries (account_id, customer_id, amount, kind, description, charge_id, source_key, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (account_id, source_key) DO NOTHING RETURNING id`,
      [entry.accountId, entry.customerId, entry.amount.toFixed(2), entry.kind, entry.description, entry.chargeId, entry.sourceKey, entry.createdBy ?? null],
    );
    return rows.length > 0;
  }

  async balance(customerId: string, manager: EntityManager = this.dataSource.manager): Promise<Big> {
    const rows = await queryRows<{ balance: string }>(manager, `SELECT coalesce(sum(amount), 0)::text AS balance FROM customer_credit_entries WHERE customer_id = $1`, [customerId]);
    return new Big(rows[0].balance);
  }

  async entries(customerId: string): Promise<CreditEntryView[]> {
    const rows = await queryRows<{ id: string; amount: string; kind: CreditKind; description: string; charge_id: string | null; created_by: string | null; created_at: Date }>(
      this.dataSource,
      `SELECT id, amount::text, kind, description, charge_id, created_by, created_at FROM customer_credit_entries WHERE customer_id = $1 ORDER BY seq DESC`,
      [customerId],
    );
    return rows.map((row) => ({ id: row.id, amount: row.amount, kind: row.kind, description: row.description, chargeId: row.charge_id, createdBy: row.created_by, createdAt: row.created_at }));
  }
}
