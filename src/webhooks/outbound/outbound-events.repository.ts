import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../common/database/sql';
import type { OutboundEvent } from './outbound-events.service';

export const OUTBOUND_EVENT_STATUSES = ['pending', 'delivered', 'failed', 'not_configured'] as const;
export type OutboundEventStatus = (typeof OUTBOUND_EVENT_STATUSES)[number];

/**
 * How long a worker may hold an event (queued for delivery or being delivered) before another may take it
 * over. Six times the HTTP timeout, so a live worker never loses it; a dead one delays the event this long.
 */
export const DELIVERY_LEASE_SECONDS = 60;

export interface OutboundEventRow {
  id: string;
  seq: string;
  account_id: string;
  type: string;
  data: Record<string, unknown>;
  status: OutboundEventStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

export interface DeliveryRow {
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: Date;
}

export interface NewDelivery {
  eventId: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface HeldLease {
  consecutiveFailures: number;
  windowAgeMs: number;
}

export interface OutboundEventFilter {
  types?: string[];
  statuses?: OutboundEventStatus[];
  beforeSeq: bigint | null;
  limit: number;
}

const EVENT_COLUMNS = 'id, seq, account_id, type, data, status, attempts, next_attempt_at, last_error, delivered_at, created_at';
const RELEASE_LEASE = 'attempts = attempts + 1, locked_until = NULL, locked_by = NULL';

@Injectable()
export class OutboundEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async insert(manager: EntityManager, event: OutboundEvent, status: 'pending' | 'not_configured'): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO outbound_events (account_id, type, data, status) VALUES ($1, $2, $3::jsonb, $4) RETURNING id`,
      [event.accountId, event.type, JSON.stringify(event.data), status],
    );
    return rows[0].id;
  }

  /** Leases due events that nobody holds; returns each with the attempt it is due for. */
  claimDue(limit: number): Promise<Array<{ id: string; attempt: number }>> {
    return queryRows(
      this.dataSource,
      `WITH due AS (
         SELECT id FROM outbound_events
         WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE outbound_events e SET locked_until = now() + make_interval(secs => $2), locked_by = NULL
       FROM due WHERE e.id = due.id RETURNING e.id, e.attempts + 1 AS attempt`,
      [limit, DELIVERY_LEASE_SECONDS],
    );
  }

  /** Gives up a dispatcher's lease that no worker has taken, so that the next dispatch claims the event again. */
  async releaseClaim(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE outbound_events SET locked_until = NULL WHERE id = $1 AND locked_by IS NULL`, [id]);
  }

  /**
   * Makes the caller (token) the only deliverer of this attempt: null when the attempt was already made, the
   * event is no longer pending, or another live worker holds it.
   */
  async takeForDelivery(id: string, attempt: number, token: string): Promise<OutboundEventRow | null> {
    const rows = await queryRows<OutboundEventRow>(
      this.dataSource,
      `UPDATE outbound_events SET locked_by = $3, locked_until = now() + make_interval(secs => $4)
       WHERE id = $1 AND status = 'pending' AND attempts = $2 - 1 AND next_attempt_at <= now()
         AND (locked_by IS NULL OR locked_until <= now())
       RETURNING ${EVENT_COLUMNS}`,
      [id, attempt, token, DELIVERY_LEASE_SECONDS],
    );
    return rows[0] ?? null;
  }

  /** Locks the event if the token still holds its lease. */
  async lockHeldLease(manager: EntityManager, id: string, token: string): Promise<HeldLease | null> {
    const rows = await queryRows<{ consecutive_failures: number; window_age_ms: number }>(
      manager,
      `SELECT consecutive_failures, (extract(epoch FROM now() - retry_window_started_at) * 1000)::float8 AS window_age_ms
       FROM outbound_events WHERE id = $1 AND locked_by = $2 FOR UPDATE`,
      [id, token],
    );
    return rows[0] ? { consecutiveFailures: rows[0].consecutive_failures, windowAgeMs: rows[0].window_age_ms } : null;
  }

  async markDelivered(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE outbound_events SET status = 'delivered', delivered_at = now(), last_error = NULL, consecutive_failures = 0, ${RELEASE_LEASE} WHERE id = $1`,
      [id],
    );
  }

  async scheduleRetry(manager: EntityManager, id: string, consecutiveFailures: number, delayMs: number, error: string | null): Promise<void> {
    await manager.query(
      `UPDATE outbound_events SET next_attempt_at = now() + make_interval(secs => $3::float8 / 1000), consecutive_failures = $2, last_error = $4, ${RELEASE_LEASE}
       WHERE id = $1`,
      [id, consecutiveFailures, delayMs, error],
    );
  }

  async markFailed(manager: EntityManager, id: string, consecutiveFailures: number, error: string | null): Promise<void> {
    await manager.query(`UPDATE outbound_events SET status = 'failed', consecutive_failures = $2, last_error = $3, ${RELEASE_LEASE} WHERE id = $1`, [
      id,
      consecutiveFailures,
      error,
    ]);
  }

  async insertDelivery(manager: EntityManager, delivery: NewDelivery): Promise<void> {
    await manager.query(`INSERT INTO outbound_event_deliveries (event_id, attempt, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`, [
      delivery.eventId,
      delivery.attempt,
      delivery.statusCode,
      delivery.error,
      delivery.durationMs,
    ]);
  }

  /**
   * Makes the event due now with a fresh retry window, whatever its status. A lease held by a worker is kept,
   * so a redelivery never runs beside an attempt in flight.
   */
  async requeue(accountId: string, id: string): Promise<OutboundEventRow | null> {
    const rows = await queryRows<OutboundEventRow>(
      this.dataSource,
      `UPDATE outbound_events SET status = 'pending', next_attempt_at = now(), retry_window_started_at = now(), consecutive_failures = 0,
         delivered_at = NULL, last_error = NULL
       WHERE id = $1 AND account_id = $2 RETURNING ${EVENT_COLUMNS}`,
      [id, accountId],
    );
    return rows[0] ?? null;
  }

  async findInAccount(accountId: string, id: string): Promise<OutboundEventRow | null> {
    const rows = await queryRows<OutboundEventRow>(this.dataSource, `SELECT ${EVENT_COLUMNS} FROM outbound_events WHERE id = $1 AND account_id = $2`, [id, accountId]);
    return rows[0] ?? null;
  }

  findDeliveries(eventId: string): Promise<DeliveryRow[]> {
    return queryRows(
      this.dataSource,
      `SELECT attempt, status_code, error, duration_ms, created_at FROM outbound_event_deliveries WHERE event_id = $1 ORDER BY attempt, created_at`,
      [eventId],
    );
  }

  list(accountId: string, filter: OutboundEventFilter): Promise<OutboundEventRow[]> {
    const conditions = ['account_id = $1'];
    const parameters: unknown[] = [accountId];
    const where = (sql: (placeholder: string) => string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql(`$${parameters.length}`));
    };
    if (filter.types?.length) where((p) => `type = ANY(${p}::text[])`, filter.types);
    if (filter.statuses?.length) where((p) => `status = ANY(${p}::text[])`, filter.statuses);
    if (filter.beforeSeq !== null) where((p) => `seq < ${p}`, filter.beforeSeq.toString());
    parameters.push(filter.limit + 1);
    return queryRows(
      this.dataSource,
      `SELECT ${EVENT_COLUMNS} FROM outbound_events WHERE ${conditions.join(' AND ')} ORDER BY seq DESC LIMIT $${parameters.length}`,
      parameters,
    );
  }
}
