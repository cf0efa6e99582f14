import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../common/config/app-config';
import { APP_CONFIG } from '../../common/config/config.module';
import { OutboundDispatcher } from './outbound-dispatcher';
import { HeldLease, OutboundEventRow, OutboundEventsRepository } from './outbound-events.repository';
import { nextStepAfterFailure, RetryPolicy } from './outbound-retry-policy';
import { AttemptResult, PlatformEventPayload, PlatformEventsClient } from './platform-events.client';

export type DeliveryOutcome = 'delivered' | 'retry_scheduled' | 'gave_up' | 'lease_lost' | 'skipped';

interface RecordedAttempt {
  outcome: DeliveryOutcome;
  retryInMs?: number;
}

interface AttemptRecord {
  eventId: string;
  attempt: number;
  token: string;
  result: AttemptResult;
}

/** Makes one delivery attempt of one event: lease it, POST it, log the attempt, then deliver, retry or give up. */
@Injectable()
export class OutboundDeliveryService {
  private readonly logger = new Logger('OutboundDelivery');
  private readonly policy: RetryPolicy;

  constructor(
    private readonly events: OutboundEventsRepository,
    private readonly platform: PlatformEventsClient,
    private readonly dispatcher: OutboundDispatcher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.policy = { baseDelayMs: config.outboundRetryBaseMs, giveUpAfterMs: config.outboundGiveUpHours * 3_600_000 };
  }

  async deliver(eventId: string, attempt: number): Promise<DeliveryOutcome> {
    if (!this.platform.isConfigured) return this.leaveToConfiguredWorker(eventId);
    const token = randomUUID();
    const event = await this.events.takeForDelivery(eventId, attempt, token);
    if (!event) return 'skipped';
    const result = await this.platform.send(toPlatformPayload(event));
    const { outcome, retryInMs } = await this.recordAttempt({ eventId, attempt, token, result });
    // After the commit, so that the dispatch it triggers finds the lease released.
    if (retryInMs !== undefined) this.dispatcher.kick(retryInMs);
    this.log(event, attempt, result, outcome);
    return outcome;
  }

  /** Instances with different configuration (a rolling deploy): hand the event straight back to the dispatcher. */
  private async leaveToConfiguredWorker(eventId: string): Promise<DeliveryOutcome> {
    await this.events.releaseClaim(eventId);
    this.logger.warn({ msg: 'outbound event left to a worker with PLATFORM_EVENTS_URL', eventId });
    return 'skipped';
  }

  private recordAttempt(record: AttemptRecord): Promise<RecordedAttempt> {
    return this.events.transaction(async (manager) => {
      const lease = await this.events.lockHeldLease(manager, record.eventId, record.token);
      const { statusCode, error, durationMs } = record.result;
      await this.events.insertDelivery(manager, { eventId: record.eventId, attempt: record.attempt, statusCode, error, durationMs });
      if (!lease) return { outcome: 'lease_lost' };
      if (!record.result.delivered) return this.recordFailure(manager, record, lease);
      await this.events.markDelivered(manager, record.eventId);
      return { outcome: 'delivered' };
    });
  }

  private async recordFailure(manager: EntityManager, record: AttemptRecord, lease: HeldLease): Promise<RecordedAttempt> {
    const failures = lease.consecutiveFailures + 1;
    const step = nextStepAfterFailure(this.policy, failures, lease.windowAgeMs);
    if (step.kind === 'give_up') {
      await this.events.markFailed(manager, record.eventId, failures, record.result.error);
      return { outcome: 'gave_up' };
    }
    await this.events.scheduleRetry(manager, record.eventId, failures, step.delayMs, record.result.error);
    return { outcome: 'retry_scheduled', retryInMs: step.delayMs };
  }

  private log(event: OutboundEventRow, attempt: number, result: AttemptResult, outcome: DeliveryOutcome): void {
    const entry = { msg: 'outbound event attempt', eventId: event.id, type: event.type, attempt, statusCode: result.statusCode, outcome };
    if (outcome === 'delivered') this.logger.log(entry);
    else this.logger.warn({ ...entry, error: result.error });
  }
}

export function toPlatformPayload(event: OutboundEventRow): PlatformEventPayload {
  return { id: event.id, type: event.type, accountId: event.account_id, createdAt: event.created_at.toISOString(), data: event.data };
}
