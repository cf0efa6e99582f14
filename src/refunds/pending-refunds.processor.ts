import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { queryRows } from '../common/database/sql';
import { QUEUES } from '../common/queue/queues';
import { scheduleRepeatable } from '../common/queue/repeatable-jobs';
import { RefundsService } from './refunds.service';

const STALE_AFTER_MINUTES = 2;

/** Refunds left pending (gateway timeout, crash, missed webhook) are asked again; the refund id keeps it idempotent. */
@Processor(QUEUES.refunds)
export class PendingRefundsProcessor {
  private readonly logger = new Logger('PendingRefunds');

  constructor(
    private readonly refunds: RefundsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Process('settle-pending-refunds')
  async settlePendingRefunds(): Promise<{ settled: number; stillPending: number }> {
    const ids = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM refunds WHERE status = 'pending' AND destination = 'gateway' AND updated_at < now() - make_interval(mins => $1) ORDER BY updated_at LIMIT 100`,
      [STALE_AFTER_MINUTES],
    );
    let settled = 0;
    for (const { id } of ids) {
      const refund = await this.refunds.resume(id).catch((error: unknown) => this.logger.warn({ msg: 'pending refund not settled', refundId: id, reason: String(error) }));
      if (refund && refund.status !== 'pending') settled += 1;
    }
    return { settled, stillPending: ids.length - settled };
  }
}

@Injectable()
export class PendingRefundsScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(QUEUES.refunds) private readonly queue: Queue) {}

  onApplicationBootstrap(): Promise<void> {
    return scheduleRepeatable(this.queue, [{ name: 'settle-pending-refunds', everyMs: 5 * 60_000 }]);
  }
}
