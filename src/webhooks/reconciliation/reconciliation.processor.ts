import { Process, Processor } from '@nestjs/bull';
import { Inject } from '@nestjs/common';
import { AppConfig } from '../../common/config/app-config';
import { APP_CONFIG } from '../../common/config/config.module';
import { QUEUES } from '../../common/queue/queues';
import { ChargeSyncService } from './charge-sync.service';

const BATCH_SIZE = 100;

@Processor(QUEUES.webhooks)
export class ReconciliationProcessor {
  constructor(
    private readonly sync: ChargeSyncService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Process('reconcile-open-charges')
  reconcileOpenCharges(): Promise<{ synced: number; failed: number }> {
    return this.sync.syncStale(this.config.reconcileAfterMinutes, BATCH_SIZE);
  }
}
