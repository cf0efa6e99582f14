import { InjectQueue } from '@nestjs/bull';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bull';
import { QUEUES } from '../../common/queue/queues';
import { scheduleRepeatable } from '../../common/queue/repeatable-jobs';
import { DISPATCH_JOB } from './outbound-dispatcher';

/** The safety net behind kicks: due events (retries, events whose kick was lost, expired leases) go out within ~2 s. */
const DISPATCH_EVERY_MS = 2_000;

@Injectable()
export class OutboundScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(QUEUES.outbound) private readonly queue: Queue) {}

  onApplicationBootstrap(): Promise<void> {
    return scheduleRepeatable(this.queue, [{ name: DISPATCH_JOB, everyMs: DISPATCH_EVERY_MS }]);
  }
}
