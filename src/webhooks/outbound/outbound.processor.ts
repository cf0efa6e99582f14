import { Process, Processor } from '@nestjs/bull';
import { Job } from 'bull';
import { QUEUES } from '../../common/queue/queues';
import { DeliveryOutcome, OutboundDeliveryService } from './outbound-delivery.service';
import { DELIVER_JOB, DeliverJobData, DISPATCH_JOB, OutboundDispatcher } from './outbound-dispatcher';

// Deliveries wait on the platform's HTTP answer, not on CPU or the database pool, so a worker runs several.
const DELIVERY_CONCURRENCY = 10;

@Processor(QUEUES.outbound)
export class OutboundProcessor {
  constructor(
    private readonly dispatcher: OutboundDispatcher,
    private readonly delivery: OutboundDeliveryService,
  ) {}

  @Process(DISPATCH_JOB)
  async dispatch(): Promise<{ queued: number }> {
    return { queued: await this.dispatcher.dispatch() };
  }

  @Process({ name: DELIVER_JOB, concurrency: DELIVERY_CONCURRENCY })
  async deliver(job: Job<DeliverJobData>): Promise<{ outcome: DeliveryOutcome }> {
    return { outcome: await this.delivery.deliver(job.data.eventId, job.data.attempt) };
  }
}
