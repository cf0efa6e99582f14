import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { EntityManager } from 'typeorm';
import { minBig, ZERO } from '../../common/money/money';
import { CreditLedgerService } from '../../refunds/credits/credit-ledger.service';
import { CustomersService } from '../customers/customers.service';

export interface NewChargeCredit {
  accountId: string;
  customerId: string;
  chargeId: string;
  number: number;
  total: Big;
}

/** Uses the customer's credit on a new charge, in its creation transaction, under the customer's row lock. */
@Injectable()
export class ChargeCreditApplier {
  constructor(
    private readonly credits: CreditLedgerService,
    private readonly customers: CustomersService,
  ) {}

  async apply(manager: EntityManager, charge: NewChargeCredit): Promise<Big> {
    await this.customers.lock(manager, charge.customerId);
    const applied = minBig(await this.credits.balance(charge.customerId, manager), charge.total);
    if (applied.lte(0)) return ZERO;
    await this.credits.record(manager, {
      accountId: charge.accountId,
      customerId: charge.customerId,
      amount: applied.times(-1),
      kind: 'applied_to_charge',
      description: `Applied to charge ${charge.number}`,
      chargeId: charge.chargeId,
      sourceKey: `applied:${charge.chargeId}`,
    });
    return applied;
  }
}
