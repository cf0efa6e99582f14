import { InjectQueue } from '@nestjs/bull';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bull';
import { QUEUES } from '../../common/queue/queues';
import { scheduleRepeatable } from '../../common/queue/repeatable-jobs';

@Injectable()
export class ChargeRecoveryScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(QUEUES.charges) private readonly queue: Queue) {}

  onApplicationBootstrap(): Promise<void> {
    return scheduleRepeatable(this.queue, [{ name: 'recover-pending-charges', everyMs: 30_000 }]);
  }
}
