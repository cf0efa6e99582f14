import { BullModule } from '@nestjs/bull';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JobProcessorCheck } from './job-processor.check';
import { QUEUES } from './queues';

const queueRegistrations = BullModule.registerQueue(...Object.values(QUEUES).map((name) => ({ name })));

@Global()
@Module({})
export class QueueModule {
  static forRoot(runsWorkers: boolean): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        DiscoveryModule,
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            redis: config.redisUrl,
            prefix: config.queuePrefix,
            defaultJobOptions: { removeOnComplete: 1000, removeOnFail: false },
          }),
        }),
        queueRegistrations,
      ],
      providers: runsWorkers ? [JobProcessorCheck] : [],
      exports: [queueRegistrations],
    };
  }
}

/** Processors are providers only in processes that run workers (PROCESS_ROLE=worker or all). */
export function workerProviders<T>(runsWorkers: boolean, providers: T[]): T[] {
  return runsWorkers ? providers : [];
}
