import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { GatewayEnvironment, ProviderId } from '../contract/payment-gateway';

export type ConnectionStatus = 'active' | 'invalid' | 'disconnected';

@Entity('gateway_connections')
export class GatewayConnection {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column({ name: 'account_id', type: 'varchar', length: 64 })
  accountId: string;

  @Column({ type: 'enum', enum: ['asaas', 'mercadopago'], enumName: 'gateway_provider' })
  provider: ProviderId;

  @Column({ type: 'enum', enum: ['sandbox', 'production'], enumName: 'gateway_environment' })
  environment: GatewayEnvironment;

  @Column({ type: 'varchar', length: 100, nullable: true })
  label: string | null;

  @Column({ type: 'enum', enum: ['active', 'invalid', 'disconnected'], enumName: 'gateway_connection_status', default: 'active' })
  status: ConnectionStatus;

  /** AES-256-GCM envelope of the JSON credentials (SecretBox); never returned, never logged. */
  @Column({ name: 'credentials_ciphertext', type: 'text' })
  credentialsCiphertext: string;

  @Column({ name: 'provider_webhook_id', type: 'varchar', length: 100, nullable: true })
  providerWebhookId: string | null;

  @Column({ name: 'provider_account_id', type: 'varchar', length: 200, nullable: true })
  providerAccountId: string | null;

  @Column({ name: 'provider_account_name', type: 'varchar', length: 200, nullable: true })
  providerAccountName: string | null;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
