import { DynamicModule, Module } from '@nestjs/common';
import { ChargesModule } from '../charges/charges.module';
import { workerProviders } from '../common/queue/queue.module';
import { GatewaysModule } from '../gateways/gateways.module';
import { WebhookEventsController } from './inbound/webhook-events.controller';
import { WebhookInboxRepository } from './inbound/webhook-inbox.repository';
import { WebhookIngestionService } from './inbound/webhook-ingestion.service';
import { WebhookProcessor } from './inbound/webhook.processor';
import { WebhookSchedules, WebhookSweeperProcessor } from './inbound/webhook-sweeper.processor';
import { WebhooksController } from './inbound/webhooks.controller';
import { ChargeSyncController } from './reconciliation/charge-sync.controller';
import { ChargeSyncService } from './reconciliation/charge-sync.service';
import { ReconciliationProcessor } from './reconciliation/reconciliation.processor';

@Module({})
export class WebhooksModule {
  static forRoot(runsWorkers: boolean): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [GatewaysModule, ChargesModule.forRoot(runsWorkers)],
      controllers: [WebhooksController, WebhookEventsController, ChargeSyncController],
      providers: [
        WebhookInboxRepository,
        WebhookIngestionService,
        ChargeSyncService,
        ...workerProviders<unknown>(runsWorkers, [WebhookProcessor, WebhookSweeperProcessor, ReconciliationProcessor, WebhookSchedules]),
      ] as never[],
      exports: [ChargeSyncService],
    };
  }
}
