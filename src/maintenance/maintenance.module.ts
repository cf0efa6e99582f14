import { DynamicModule, Module } from '@nestjs/common';
import { workerProviders } from '../common/queue/queue.module';
import { MaintenanceProcessor } from './maintenance.processor';
import { MaintenanceScheduler } from './maintenance.scheduler';

@Module({})
export class MaintenanceModule {
  static forRoot(runsWorkers: boolean): DynamicModule {
    return { module: MaintenanceModule, providers: workerProviders<unknown>(runsWorkers, [MaintenanceProcessor, MaintenanceScheduler]) as never[] };
  }
}
