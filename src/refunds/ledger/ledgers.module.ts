import { Global, Module } from '@nestjs/common';
import { CreditLedgerService } from '../credits/credit-ledger.service';
import { RefundLedgerService } from './refund-ledger.service';

/** The money ledgers (refunds, customer credits), shared by charges settlement and the refunds module. */
@Global()
@Module({ providers: [CreditLedgerService, RefundLedgerService], exports: [CreditLedgerService, RefundLedgerService] })
export class LedgersModule {}
