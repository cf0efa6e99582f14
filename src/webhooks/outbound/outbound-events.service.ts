import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export type OutboundEventType =
  | 'charge.awaiting_payment'
  | 'charge.paid'
  | 'charge.partially_paid'
  | 'charge.overdue'
  | 'charge.canceled'
  | 'charge.refunded'
  | 'charge.partially_refunded'
  | 'refund.succeeded'
  | 'refund.failed'
  | 'gateway_connection.invalid';

export interface OutboundEvent {
  accountId: string;
  type: OutboundEventType;
  data: Record<string, unknown>;
}

/**
 * The outbox: events are written in the transaction of the change that caused them (pass its manager),
 * so a status change and its event commit or roll back together; delivery happens from the table.
 */
@Injectable()
export class OutboundEventsService {
  async record(manager: EntityManager, event: OutboundEvent): Promise<string> {
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO outbound_events (account_id, type, data) VALUES ($1, $2, $3::jsonb) RETURNING id`,
      [event.accountId, event.type, JSON.stringify(event.data)],
    );
    return rows[0].id;
  }
}
