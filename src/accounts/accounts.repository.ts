import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { queryRows } from '../common/database/sql';
import { Account, AccountSettings } from './account.entity';

@Injectable()
export class AccountsRepository {
  constructor(@InjectRepository(Account) private readonly accounts: Repository<Account>) {}

  findById(id: string): Promise<Account | null> {
    return this.accounts.findOneBy({ id });
  }

  /** Creates the row on first use (accounts are mirrored from the platform) and sets the flag, atomically. */
  async upsertPaymentsEnabled(id: string, enabled: boolean): Promise<Account> {
    await this.accounts.query(
      `INSERT INTO accounts (id, payments_enabled) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET payments_enabled = EXCLUDED.payments_enabled, updated_at = now()`,
      [id, enabled],
    );
    return this.accounts.findOneByOrFail({ id });
  }

  async mergeSettings(id: string, settings: Partial<AccountSettings>): Promise<Account> {
    await this.accounts.query(`UPDATE accounts SET settings = settings || $2::jsonb, updated_at = now() WHERE id = $1`, [id, JSON.stringify(settings)]);
    return this.accounts.findOneByOrFail({ id });
  }

  /** Next charge number for the account, gap-free under concurrency (the row lock serializes callers). */
  async nextChargeNumber(manager: EntityManager, accountId: string): Promise<number> {
    const rows = await queryRows<{ charge_sequence: string }>(
      manager,
      `UPDATE accounts SET charge_sequence = charge_sequence + 1 WHERE id = $1 RETURNING charge_sequence`,
      [accountId],
    );
    return Number(rows[0].charge_sequence);
  }
}
