import Big from 'big.js';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { moneyTransformer } from '../common/money/money.transformer';

export type PaymentStatus = 'pending' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'partial' | 'refunded' | 'partially_refunded';

const money = { type: 'numeric' as const, precision: 14, scale: 2, transformer: moneyTransformer };

/** One attempt at the gateway (billing-payments-flow.md): a gateway payment or hosted checkout for a charge. */
@Entity('payments')
export class Payment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'charge_id', type: 'uuid' })
  chargeId: string;

  @Column({ name: 'account_id', type: 'varchar', length: 64 })
  accountId: string;

  @Column({ name: 'connection_id', type: 'uuid' })
  connectionId: string;

  @Column({ type: 'varchar', length: 16 })
  method: string;

  @Column({ ...money })
  amount: Big;

  @Column({ name: 'amount_received', ...money })
  amountReceived: Big;

  @Column({ name: 'amount_refunded', ...money })
  amountRefunded: Big;

  @Column({ name: 'interest_amount', ...money })
  interestAmount: Big;

  @Column({ name: 'fine_amount', ...money })
  fineAmount: Big;

  @Column({ type: 'enum', enumName: 'payment_status', enum: ['pending', 'processing', 'succeeded', 'failed', 'canceled', 'partial', 'refunded', 'partially_refunded'] })
  status: PaymentStatus;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  @Column({ name: 'gateway_object_kind', type: 'varchar', length: 16 })
  gatewayObjectKind: 'payment' | 'checkout';

  @Column({ name: 'gateway_payment_id', type: 'varchar', length: 100 })
  gatewayPaymentId: string;

  @Column({ name: 'provider_status', type: 'varchar', length: 64, nullable: true })
  providerStatus: string | null;

  @Column({ name: 'provider_response', type: 'jsonb', nullable: true })
  providerResponse: unknown;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
