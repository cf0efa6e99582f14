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
import { ChargeCreditApplier } from './create/charge-credit.applier';
import { ChargeDraftFactory } from './create/charge-draft';
import { ChargeRecoveryProcessor } from './create/charge-recovery.processor';
import { ChargeRecoveryScheduler } from './create/charge-recovery.scheduler';
import { GatewayChargeCompleter } from './create/gateway-charge-completer';
import { Customer } from './customers/customer.entity';
import { CustomersRepository } from './customers/customers.repository';
import { CustomersService } from './customers/customers.service';
import { OverdueProcessor, OverdueScheduler } from './overdue/overdue.processor';
import { OverdueRepository } from './overdue/overdue.repository';
import { Payment } from './payment.entity';
import { ReminderDeliveriesRepository } from './reminders/reminder-deliveries.repository';
import { ReminderScheduler } from './reminders/reminder-scheduler';
import { ReminderSender } from './reminders/reminder-sender.service';
import { ReminderSchedules, RemindersProcessor } from './reminders/reminders.processor';
import { ChargeLedgerService } from './settlement/charge-ledger.service';
import { PaymentStateApplier } from './settlement/payment-state-applier';
import { SettlementRepository } from './settlement/settlement.repository';
import { ChargeSenderService } from './send/charge-sender.service';
import { ConversationClient } from './send/conversation.client';

@Module({})
export class ChargesModule {
  private static readonly instances = new Map<boolean, DynamicModule>();

  /** Memoized so that every importer gets the same module instance (one set of processors). */
  static forRoot(runsWorkers: boolean): DynamicModule {
    const existing = ChargesModule.instances.get(runsWorkers);
    if (existing) return existing;
    const created = ChargesModule.build(runsWorkers);
    ChargesModule.instances.set(runsWorkers, created);
    return created;
  }

  private static build(runsWorkers: boolean): DynamicModule {
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
        ChargeCreditApplier,
        CustomersRepository,
        CustomersService,
        ConversationClient,
        ChargeSenderService,
        SettlementRepository,
        PaymentStateApplier,
        ChargeLedgerService,
        OverdueRepository,
        ReminderDeliveriesRepository,
        ReminderScheduler,
        ReminderSender,
        ...workerProviders<unknown>(runsWorkers, [ChargeRecoveryProcessor, ChargeRecoveryScheduler, OverdueProcessor, OverdueScheduler]),
        ...workerProviders<unknown>(runsWorkers, [RemindersProcessor, ReminderSchedules]),
      ] as never[],
      exports: [ChargesService, ChargesRepository, CustomersService, PaymentStateApplier, ChargeLedgerService, ReminderScheduler],
    };
  }
}
