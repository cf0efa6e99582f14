import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bull';
import { QUEUES } from '../../common/queue/queues';
import { scheduleRepeatable } from '../../common/queue/repeatable-jobs';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { enqueueWebhookProcessing } from './webhook-queue';

const STALLED_AFTER_SECONDS = 60;

/** Re-enqueues stored events that were never processed (job lost while Redis was down, or a crash). */
@Processor(QUEUES.webhooks)
export class WebhookSweeperProcessor {
  constructor(
    private readonly inbox: WebhookInboxRepository,
    @InjectQueue(QUEUES.webhooks) private readonly queue: Queue,
  ) {}

  @Process('requeue-stalled-webhooks')
  async requeueStalled(): Promise<{ requeued: number }> {
    const stalled = await this.inbox.findStalled(STALLED_AFTER_SECONDS, 500);
    let requeued = 0;
    for (const inboxId of stalled) {
      if (await this.stillScheduled(inboxId)) continue;
      await enqueueWebhookProcessing(this.queue, inboxId);
      requeued += 1;
    }
    return { requeued };
  }

  /** A job still waiting or retrying is left alone; a finished one would block re-adding the same id, so it goes. */
  private async stillScheduled(inboxId: string): Promise<boolean> {
    const job = await this.queue.getJob(`webhook:${inboxId}`);
    if (!job) return false;
    const state = await job.getState();
    if (state === 'waiting' || state === 'delayed' || state === 'active' || state === 'paused') return true;
    await job.remove().catch(() => undefined);
    return false;
  }
}

@Injectable()
export class WebhookSchedules implements OnApplicationBootstrap {
  constructor(@InjectQueue(QUEUES.webhooks) private readonly queue: Queue) {}

  onApplicationBootstrap(): Promise<void> {
    return scheduleRepeatable(this.queue, [
      { name: 'requeue-stalled-webhooks', everyMs: 60_000 },
      { name: 'reconcile-open-charges', everyMs: 5 * 60_000 },
    ]);
  }
}
