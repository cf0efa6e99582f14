import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { execute } from '../common/database/sql';
import { QUEUES } from '../common/queue/queues';

/** Idempotency keys are honoured for 24 hours, like Stripe's; older records are purged. */
const IDEMPOTENCY_RETENTION_HOURS = 24;

@Processor(QUEUES.maintenance)
export class MaintenanceProcessor {
  private readonly logger = new Logger('Maintenance');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Process('purge-idempotency-records')
  async purgeIdempotencyRecords(): Promise<{ deleted: number }> {
    const deleted = await execute(
      this.dataSource,
      `DELETE FROM idempotency_records WHERE created_at < now() - make_interval(hours => $1) AND state = 'completed'`,
      [IDEMPOTENCY_RETENTION_HOURS],
    );
    this.logger.log({ msg: 'purged idempotency records', deleted });
    return { deleted };
  }
}
