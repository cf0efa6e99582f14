import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Big from 'big.js';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CustomersService } from '../../charges/customers/customers.service';
import { ApiError } from '../../common/errors/api-error';
import { parseAmount, toMoneyNumber } from '../../common/money/money';
import { CreditLedgerService } from './credit-ledger.service';

export interface CustomerCreditsView {
  customerId: string;
  currency: 'BRL';
  balance: number;
  entries: Array<{ id: string; amount: number; kind: string; description: string; chargeId: string | null; createdBy: string | null; createdAt: string }>;
}

/**
 * Customer credit: overpayments, payments on closed charges, refunds to credit and admin adjustments add to it;
 * new charges for the customer use it up automatically. Entries that take credit away run under the customer's
 * row lock, so the balance is never negative even under concurrency.
 */
@Injectable()
export class CustomerCreditsService {
  constructor(
    private readonly ledger: CreditLedgerService,
    private readonly customers: CustomersService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async view(accountId: string, customerId: string): Promise<CustomerCreditsView> {
    await this.requireCustomer(accountId, customerId);
    const [balance, entries] = await Promise.all([this.ledger.balance(customerId), this.ledger.entries(customerId)]);
    return {
      customerId,
      currency: 'BRL',
      balance: toMoneyNumber(balance),
      entries: entries.map((entry) => ({ ...entry, amount: Number(entry.amount), createdAt: entry.createdAt.toISOString() })),
    };
  }

  async adjust(accountId: string, customerId: string, userId: string, input: { amount: number | string; reason: string }): Promise<CustomerCreditsView> {
    await this.requireCustomer(accountId, customerId);
    const amount = parseAmount(input.amount, { field: 'amount', sign: 'any' });
    if (amount.eq(0)) throw ApiError.unprocessable('invalid_amount', 'amount must not be zero', [{ field: 'amount', message: 'amount must not be zero' }]);
    await this.dataSource.transaction(async (manager) => {
      const balance = await this.lockedBalance(manager, customerId);
      if (balance.plus(amount).lt(0)) throw ApiError.unprocessable('insufficient_credit', `The balance is ${balance.toFixed(2)}; it cannot go below zero`, [{ field: 'amount', message: 'would make the balance negative' }]);
      await this.ledger.record(manager, { accountId, customerId, amount, kind: 'manual_adjustment', description: input.reason, chargeId: null, sourceKey: `manual:${randomUUID()}`, createdBy: userId });
    });
    return this.view(accountId, customerId);
  }

  private async lockedBalance(manager: EntityManager, customerId: string): Promise<Big> {
    await this.customers.lock(manager, customerId);
    return this.ledger.balance(customerId, manager);
  }

  private async requireCustomer(accountId: string, customerId: string): Promise<void> {
    if (!(await this.customers.findInAccount(accountId, customerId))) throw ApiError.notFound('Customer');
  }
}
