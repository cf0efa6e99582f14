import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { workerProviders } from '../common/queue/queue.module';
import { GatewaysModule } from '../gateways/gateways.module';
import { CatalogModule } from './catalog/catalog.module';
import { ChargeItem } from './charge-item.entity';
import { Charge } from './charge.entity';
import { ChargesController } from './charges.controller';
import { ChargesRepository } from './charges.repository';
import { ChargesService } from './charges.service';
import { ChargeCreationService } from './create/charge-creation.service';
import { ChargeDraftFactory } from './create/charge-draft';
import { ChargeRecoveryProcessor } from './create/charge-recovery.processor';
import { ChargeRecoveryScheduler } from './create/charge-recovery.scheduler';
import { GatewayChargeCompleter } from './create/gateway-charge-completer';
import { Customer } from './customers/customer.entity';
import { CustomersRepository } from './customers/customers.repository';
import { CustomersService } from './customers/customers.service';
import { Payment } from './payment.entity';
import { ChargeSenderService } from './send/charge-sender.service';
import { ConversationClient } from './send/conversation.client';

@Module({})
export class ChargesModule {
  static forRoot(runsWorkers: boolean): DynamicModule {
    return {
      module: ChargesModule,
      imports: [TypeOrmModule.forFeature([Charge, ChargeItem, Payment, Customer]), AccountsModule, GatewaysModule, CatalogModule],
      controllers: [ChargesController],
      providers: [
        ChargesRepository,
        ChargesService,
        ChargeDraftFactory,
        ChargeCreationService,
        GatewayChargeCompleter,
        CustomersRepository,
        CustomersService,
        ConversationClient,
        ChargeSenderService,
        ...workerProviders<unknown>(runsWorkers, [ChargeRecoveryProcessor, ChargeRecoveryScheduler]),
      ] as never[],
      exports: [ChargesService, ChargesRepository, CustomersService],
    };
  }
}
