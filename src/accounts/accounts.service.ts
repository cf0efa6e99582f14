import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiError } from '../common/errors/api-error';
import { Account, AccountSettings, DEFAULT_ACCOUNT_SETTINGS } from './account.entity';
import { AccountsRepository } from './accounts.repository';

export interface AccountView {
  id: string;
  paymentsEnabled: boolean;
  settings: AccountSettings;
  createdAt: string;
  updatedAt: string;
}

@Injectable()
export class AccountsService {
  constructor(private readonly accounts: AccountsRepository) {}

  async isPaymentsEnabled(accountId: string): Promise<boolean> {
    const account = await this.accounts.findById(accountId);
    return account?.paymentsEnabled ?? false;
  }

  async setPaymentsEnabled(accountId: string, enabled: boolean): Promise<AccountView> {
    return toView(await this.accounts.upsertPaymentsEnabled(accountId, enabled));
  }

  async get(accountId: string): Promise<AccountView> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw ApiError.notFound('Account');
    return toView(account);
  }

  async settings(accountId: string): Promise<AccountSettings> {
    return (await this.get(accountId)).settings;
  }

  async updateSettings(accountId: string, settings: Partial<AccountSettings>): Promise<AccountView> {
    return toView(await this.accounts.mergeSettings(accountId, settings));
  }

  nextChargeNumber(manager: EntityManager, accountId: string): Promise<number> {
    return this.accounts.nextChargeNumber(manager, accountId);
  }
}

function toView(account: Account): AccountView {
  return {
    id: account.id,
    paymentsEnabled: account.paymentsEnabled,
    settings: { ...DEFAULT_ACCOUNT_SETTINGS, ...account.settings },
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}
