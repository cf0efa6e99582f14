import { DynamicModule, Global, Module } from '@nestjs/common';
import { workerProviders } from '../../common/queue/queue.module';
import { OutboundCommitListener } from './outbound-commit-listener';
import { OutboundDeliveryService } from './outbound-delivery.service';
import { OutboundDispatcher } from './outbound-dispatcher';
import { OutboundEventsAdminService } from './outbound-events-admin.service';
import { OutboundEventsController } from './outbound-events.controller';
import { OutboundEventsRepository } from './outbound-events.repository';
import { OutboundEventsService } from './outbound-events.service';
import { OutboundProcessor } from './outbound.processor';
import { OutboundScheduler } from './outbound.scheduler';
import { PlatformEventsClient } from './platform-events.client';

/** The outbox and its delivery to the platform. Global: every module that changes state records events. */
@Global()
@Module({})
export class OutboundEventsModule {
  static forRoot(runsWorkers: boolean): DynamicModule {
    return {
      module: OutboundEventsModule,
      controllers: [OutboundEventsController],
      providers: [
        OutboundEventsRepository,
        OutboundEventsService,
        OutboundDispatcher,
        OutboundCommitListener,
        PlatformEventsClient,
        OutboundEventsAdminService,
        ...workerProviders<unknown>(runsWorkers, [OutboundDeliveryService, OutboundProcessor, OutboundScheduler]),
      ] as never[],
      exports: [OutboundEventsService, OutboundDispatcher],
    };
  }
}
