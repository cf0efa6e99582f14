import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ChargesModule } from '../charges/charges.module';
import { workerProviders } from '../common/queue/queue.module';
import { GatewaysModule } from '../gateways/gateways.module';
import { ChargeCancelService } from './cancel/charge-cancel.service';
import { CreditsController } from './credits/credits.controller';
import { CustomerCreditsService } from './credits/customer-credits.service';
import { PendingRefundsProcessor, PendingRefundsScheduler } from './pending-refunds.processor';
import { RefundsController } from './refunds.controller';
import { RefundsRepository } from './refunds.repository';
import { RefundsService } from './refunds.service';
import { ChargeRetryService } from './retry/charge-retry.service';

@Module({})
export class RefundsModule {
  static forRoot(runsWorkers: boolean): DynamicModule {
    return {
      module: RefundsModule,
      imports: [AccountsModule, GatewaysModule, ChargesModule.forRoot(runsWorkers)],
      controllers: [RefundsController, CreditsController],
      providers: [
        RefundsRepository,
        RefundsService,
        ChargeCancelService,
        ChargeRetryService,
        CustomerCreditsService,
        ...workerProviders<unknown>(runsWorkers, [PendingRefundsProcessor, PendingRefundsScheduler]),
      ] as never[],
    };
  }
}
