import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../../common/database/sql';
import { ChargeStatus } from '../domain/charge-status';

/**
 * How long a `sending` row belongs to the worker that claimed it. Well above the messaging API's 10 s timeout,
 * so a live worker is never overtaken; after it, the row is presumed orphaned by a crash and may be re-posted
 * (with the same Idempotency-Key).
 */
export const SENDING_LEASE_SECONDS = 60;

export interface ReminderRecipient {
  chargeId: string;
  accountId: string;
  conversationId: string;
}

export type ReminderClaim =
  | { state: 'claimed'; messageId: string; conversationId: string; attempt: number }
  | { state: 'sent' | 'skipped' | 'in_progress'; messageId: string };

export interface ReminderCandidate {
  id: string;
  accountId: string;
  status: ChargeStatus;
  dueDate: string;
  conversationId: string;
  seq: string;
}

const OPEN_STATUSES = `('awaiting_payment', 'partially_paid', 'overdue')`;

/** Reminder rows in `charge_messages` (kind `reminder`, one per dedupe key) and the charges the sweep schedules. */
@Injectable()
export class ReminderDeliveriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims the reminder for sending: a new row, or a `failed` one, or a `sending` one whose lease expired.
   * Anything else (already sent, skipped, or being sent right now) is reported, not taken.
   */
  async claim(recipient: ReminderRecipient, dedupeKey: string): Promise<ReminderClaim> {
    const rows = await queryRows<{ id: string; conversation_id: string; attempts: number }>(
      this.dataSource,
      `INSERT INTO charge_messages (charge_id, account_id, conversation_id, kind, status, dedupe_key)
       VALUES ($1, $2, $3, 'reminder', 'sending', $4)
       ON CONFLICT (dedupe_key) DO UPDATE SET status = 'sending', attempts = charge_messages.attempts + 1, claimed_at = now(), error = NULL
         WHERE charge_messages.status = 'failed'
            OR (charge_messages.status = 'sending' AND charge_messages.claimed_at < now() - make_interval(secs => $5))
       RETURNING id, conversation_id, attempts`,
      [recipient.chargeId, recipient.accountId, recipient.conversationId, dedupeKey, SENDING_LEASE_SECONDS],
    );
    if (rows.length > 0) return { state: 'claimed', messageId: rows[0].id, conversationId: rows[0].conversation_id, attempt: rows[0].attempts };
    return this.currentState(dedupeKey);
  }

  async markSent(messageId: string, platformMessageId: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE charge_messages SET status = 'sent', platform_message_id = $2, sent_at = now() WHERE id = $1`, [messageId, platformMessageId]);
  }

  async markFailed(messageId: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE charge_messages SET status = 'failed', error = $2 WHERE id = $1 AND status = 'sending'`, [messageId, error]);
  }

  /** Records why no reminder was posted; takes over a `failed` row (a retry that is no longer wanted), never a sent one. */
  async recordSkipped(recipient: ReminderRecipient, dedupeKey: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO charge_messages (charge_id, account_id, conversation_id, kind, status, dedupe_key, skip_reason)
       VALUES ($1, $2, $3, 'reminder', 'skipped', $4, $5)
       ON CONFLICT (dedupe_key) DO UPDATE SET status = 'skipped', skip_reason = EXCLUDED.skip_reason WHERE charge_messages.status = 'failed'`,
      [recipient.chargeId, recipient.accountId, recipient.conversationId, dedupeKey, reason],
    );
  }

  /** Open charges with a conversation whose due date is on or after `dueFrom`, in pages by seq. */
  findCandidates(afterSeq: string, dueFrom: string, limit: number): Promise<ReminderCandidate[]> {
    return queryRows<ReminderCandidate>(
      this.dataSource,
      `SELECT id, account_id AS "accountId", status, due_date::text AS "dueDate", conversation_id AS "conversationId", seq::text AS seq
       FROM charges
       WHERE conversation_id IS NOT NULL AND status IN ${OPEN_STATUSES} AND seq > $1::bigint AND due_date >= $2::date
       ORDER BY seq LIMIT $3`,
      [afterSeq, dueFrom, limit],
    );
  }

  private async currentState(dedupeKey: string): Promise<ReminderClaim> {
    const rows = await queryRows<{ id: string; status: 'sending' | 'sent' | 'skipped' }>(this.dataSource, `SELECT id, status FROM charge_messages WHERE dedupe_key = $1`, [dedupeKey]);
    const { id, status } = rows[0];
    return { state: status === 'sending' ? 'in_progress' : status, messageId: id };
  }
}
