import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bull';
import { QUEUES } from '../../common/queue/queues';
import { OutboundEventsRepository } from './outbound-events.repository';
import { PlatformEventsClient } from './platform-events.client';

export const DISPATCH_JOB = 'dispatch-outbound-events';
export const DELIVER_JOB = 'deliver-outbound-event';

export interface DeliverJobData {
  eventId: string;
  attempt: number;
}

const BATCH_SIZE = 100;
const MAX_BATCHES_PER_RUN = 10;
// Kicks that land in the same slot share one dispatch job; the job runs at the end of the slot.
const KICK_SLOT_MS = 100;

/**
 * Hands due events to the delivery workers. Runs every two seconds as a repeatable job, and sooner when
 * kicked (an event was recorded, or a retry falls due).
 */
@Injectable()
export class OutboundDispatcher {
  private readonly logger = new Logger('OutboundDispatcher');

  constructor(
    @InjectQueue(QUEUES.outbound) private readonly queue: Queue,
    private readonly events: OutboundEventsRepository,
    private readonly platform: PlatformEventsClient,
  ) {}

  /**
   * Asks for a dispatch in `delayMs` (default: now). Call it after the transaction that recorded events has
   * committed (OutboundEventsService.record already does). Never throws and never waits on Redis: the
   * periodic dispatch catches anything a lost kick would have sent.
   */
  kick(delayMs = 0): void {
    const now = Date.now();
    const runAt = Math.ceil((now + delayMs) / KICK_SLOT_MS) * KICK_SLOT_MS;
    this.queue
      .add(DISPATCH_JOB, {}, { jobId: `kick:${runAt}`, delay: runAt - now, removeOnComplete: true, removeOnFail: true })
      .catch((error: unknown) => this.logger.warn({ msg: 'could not kick outbound dispatch', error: String(error) }));
  }

  /** Leases due events and queues one delivery job per event attempt; returns how many were queued. */
  async dispatch(): Promise<number> {
    // Without the URL nothing can be sent: pending events wait for an instance that has it.
    if (!this.platform.isConfigured) return 0;
    let queued = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch += 1) {
      const claimed = await this.events.claimDue(BATCH_SIZE);
      await this.queue.addBulk(claimed.map(({ id, attempt }) => deliverJob({ eventId: id, attempt })));
      queued += claimed.length;
      if (claimed.length < BATCH_SIZE) break;
    }
    return queued;
  }
}

function deliverJob(data: DeliverJobData) {
  // One job id per event attempt: a second dispatch of the same attempt while it is queued adds nothing.
  return { name: DELIVER_JOB, data, opts: { jobId: `deliver:${data.eventId}:${data.attempt}`, removeOnComplete: true, removeOnFail: true } };
}
