import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../common/config/app-config';
import { APP_CONFIG } from '../../common/config/config.module';
import { OutboundCommitListener } from './outbound-commit-listener';
import { OutboundEventsRepository } from './outbound-events.repository';

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
  | 'charge.payment_credited'
  | 'gateway_connection.invalid';

export interface OutboundEvent {
  accountId: string;
  type: OutboundEventType;
  data: Record<string, unknown>;
}

/**
 * The outbox: events are written in the transaction of the change that caused them (pass its manager),
 * so a status change and its event commit or roll back together; delivery happens from the table, and
 * starts as soon as that transaction commits. Without PLATFORM_EVENTS_URL events are kept as `not_configured`.
 */
@Injectable()
export class OutboundEventsService {
  constructor(
    private readonly events: OutboundEventsRepository,
    private readonly commits: OutboundCommitListener,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async record(manager: EntityManager, event: OutboundEvent): Promise<string> {
    if (!this.config.platformEventsUrl) return this.events.insert(manager, event, 'not_configured');
    const id = await this.events.insert(manager, event, 'pending');
    this.commits.kickAfterCommit(manager);
    return id;
  }
}
