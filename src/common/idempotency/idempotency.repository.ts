import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';

export interface IdempotencyRow {
  id: string;
  scope: string;
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: unknown;
  stale: boolean;
}

export interface ClaimRequest {
  accountId: string;
  key: string;
  scope: string;
  requestHash: string;
  leaseSeconds: number;
}

@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts an in-progress record; returns its id, or null when the key already exists. */
  async tryInsert(claim: ClaimRequest): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO idempotency_records (account_id, idempotency_key, scope, request_hash, state, locked_until)
       VALUES ($1, $2, $3, $4, 'in_progress', now() + make_interval(secs => $5))
       ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING id`,
      [claim.accountId, claim.key, claim.scope, claim.requestHash, claim.leaseSeconds],
    );
    return rows[0]?.id ?? null;
  }

  async find(accountId: string, key: string): Promise<IdempotencyRow | null> {
    const rows: IdempotencyRow[] = await this.dataSource.query(
      `SELECT id, scope, request_hash, state, response_status, response_body, locked_until < now() AS stale
       FROM idempotency_records WHERE account_id = $1 AND idempotency_key = $2`,
      [accountId, key],
    );
    return rows[0] ?? null;
  }

  /** Takes over a record whose holder died (lease expired); only one caller wins. */
  async takeOverStale(id: string, leaseSeconds: number): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      `UPDATE idempotency_records SET locked_until = now() + make_interval(secs => $2)
       WHERE id = $1 AND state = 'in_progress' AND locked_until < now() RETURNING id`,
      [id, leaseSeconds],
    );
    return rows.length > 0;
  }

  async complete(id: string, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_records SET state = 'completed', response_status = $2, response_body = $3::jsonb, completed_at = now() WHERE id = $1`,
      [id, status, JSON.stringify(body ?? null)],
    );
  }

  async release(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_records WHERE id = $1 AND state = 'in_progress'`, [id]);
  }
}
