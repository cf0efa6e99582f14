import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../../common/database/sql';
import { ParsedWebhookEvent, ProviderId } from '../../gateways/contract/payment-gateway';

export type InboxStatus = 'received' | 'processed' | 'ignored' | 'failed' | 'dead';

export interface InboxRow {
  id: string;
  seq: string;
  connection_id: string;
  account_id: string;
  provider: ProviderId;
  provider_event_id: string;
  event_type: string;
  category: string;
  gateway_payment_id: string | null;
  external_reference: string | null;
  payload: unknown;
  status: InboxStatus;
  attempts: number;
  last_error: string | null;
  charge_id: string | null;
  received_at: Date;
  processed_at: Date | null;
}

export interface InboxInsert {
  connectionId: string;
  accountId: string;
  provider: ProviderId;
  event: ParsedWebhookEvent;
  payload: unknown;
}

@Injectable()
export class WebhookInboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores a verified event; null when this provider event id was already received on the connection. */
  async insert(row: InboxInsert): Promise<string | null> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO webhook_events (connection_id, account_id, provider, provider_event_id, event_type, category, gateway_payment_id, external_reference, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) ON CONFLICT (connection_id, provider_event_id) DO NOTHING RETURNING id`,
      [row.connectionId, row.accountId, row.provider, row.event.providerEventId.slice(0, 200), row.event.eventType.slice(0, 100), row.event.category, row.event.gatewayPaymentId, row.event.externalReference?.slice(0, 200) ?? null, JSON.stringify(row.payload)],
    );
    return rows[0]?.id ?? null;
  }

  async find(id: string): Promise<InboxRow | null> {
    const rows = await queryRows<InboxRow>(this.dataSource, `SELECT * FROM webhook_events WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async markAttempt(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE webhook_events SET attempts = attempts + 1 WHERE id = $1`, [id]);
  }

  async markDone(id: string, status: 'processed' | 'ignored', chargeId: string | null, note: string | null = null): Promise<void> {
    await this.dataSource.query(`UPDATE webhook_events SET status = $2, charge_id = $3, last_error = $4, processed_at = now() WHERE id = $1`, [id, status, chargeId, note]);
  }

  async markFailed(id: string, error: string, dead: boolean): Promise<void> {
    await this.dataSource.query(`UPDATE webhook_events SET status = $2, last_error = $3 WHERE id = $1 AND status NOT IN ('processed', 'ignored')`, [id, dead ? 'dead' : 'failed', error.slice(0, 2000)]);
  }

  /** Events stored but not (yet) processed after a while: their job was lost (Redis down at receipt) or died. */
  async findStalled(olderThanSeconds: number, limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM webhook_events WHERE status IN ('received', 'failed') AND received_at < now() - make_interval(secs => $1) ORDER BY received_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((row) => row.id);
  }

  list(accountId: string, filter: { status?: InboxStatus; beforeSeq: bigint | null; limit: number }): Promise<InboxRow[]> {
    const conditions = ['account_id = $1'];
    const parameters: unknown[] = [accountId];
    if (filter.status) conditions.push(`status = $${parameters.push(filter.status)}`);
    if (filter.beforeSeq !== null) conditions.push(`seq < $${parameters.push(filter.beforeSeq.toString())}`);
    return queryRows<InboxRow>(this.dataSource, `SELECT * FROM webhook_events WHERE ${conditions.join(' AND ')} ORDER BY seq DESC LIMIT $${parameters.push(filter.limit + 1)}`, parameters);
  }
}
