import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface AccountSettings {
  /** Lets agents (not only admins) refund. */
  agentsMayRefund: boolean;
  /** Days relative to the due date on which unpaid charges get a reminder in the conversation. */
  reminderOffsetsDays: number[];
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  agentsMayRefund: false,
  reminderOffsetsDays: [-1, 0, 3],
};

@Entity('accounts')
export class Account {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'payments_enabled', type: 'boolean', default: false })
  paymentsEnabled: boolean;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  settings: Partial<AccountSettings>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
