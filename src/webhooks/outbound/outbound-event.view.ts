import { DeliveryRow, OutboundEventRow } from './outbound-events.repository';

export interface OutboundEventView {
  id: string;
  type: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface DeliveryView {
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  createdAt: string;
}

export interface OutboundEventDetailView extends OutboundEventView {
  deliveries: DeliveryView[];
}

export function toOutboundEventView(row: OutboundEventRow): OutboundEventView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    // Only a pending event has a next attempt.
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    lastError: row.last_error,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    data: row.data,
  };
}

export function toDeliveryView(row: DeliveryRow): DeliveryView {
  return { attempt: row.attempt, statusCode: row.status_code, error: row.error, durationMs: row.duration_ms, createdAt: row.created_at.toISOString() };
}
