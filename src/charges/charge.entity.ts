import Big from 'big.js';
import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { moneyTransformer } from '../common/money/money.transformer';
import { GatewayObjectRef, PaymentMethod } from '../gateways/contract/payment-gateway';
import { ChargeItem } from './charge-item.entity';
import { ChargeStatus } from './domain/charge-status';

export interface StoredInstallment {
  number: number;
  amount: string;
  dueDate: string;
}

export type ChargeSource = 'manual' | 'catalog' | 'deal' | 'booking' | 'subscription';

const money = { type: 'numeric' as const, precision: 14, scale: 2, transformer: moneyTransformer };

@Entity('charges')
export class Charge {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column({ name: 'account_id', type: 'varchar', length: 64 })
  accountId: string;

  @Column({ type: 'integer' })
  number: number;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @Column({ name: 'connection_id', type: 'uuid' })
  connectionId: string;

  @Column({ type: 'enum', enumName: 'charge_status', enum: ['pending', 'awaiting_payment', 'partially_paid', 'paid', 'overdue', 'canceled', 'failed', 'refunded', 'partially_refunded'] })
  status: ChargeStatus;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ ...money })
  subtotal: Big;

  @Column({ name: 'discount_type', type: 'varchar', length: 16, nullable: true })
  discountType: 'percentage' | 'fixed' | null;

  @Column({ name: 'discount_value', ...money, nullable: true })
  discountValue: Big | null;

  @Column({ name: 'discount_amount', ...money })
  discountAmount: Big;

  @Column({ name: 'adjustment_amount', ...money })
  adjustmentAmount: Big;

  @Column({ name: 'adjustment_reason', type: 'varchar', length: 200, nullable: true })
  adjustmentReason: string | null;

  @Column({ name: 'credit_applied', ...money })
  creditApplied: Big;

  @Column({ ...money })
  total: Big;

  @Column({ name: 'amount_paid', ...money })
  amountPaid: Big;

  @Column({ name: 'amount_refunded', ...money })
  amountRefunded: Big;

  /** Interest and fines received on late payments: recorded, never credited. */
  @Column({ name: 'interest_received', ...money })
  interestReceived: Big;

  /** Calendar date (America/Sao_Paulo) as YYYY-MM-DD. */
  @Column({ name: 'due_date', type: 'date' })
  dueDate: string;

  @Column({ name: 'payment_methods', type: 'text', array: true })
  paymentMethods: PaymentMethod[];

  @Column({ type: 'integer' })
  installments: number;

  @Column({ name: 'installment_plan', type: 'jsonb' })
  installmentPlan: StoredInstallment[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 16 })
  source: ChargeSource;

  @Column({ name: 'source_id', type: 'varchar', length: 100, nullable: true })
  sourceId: string | null;

  @Column({ name: 'conversation_id', type: 'varchar', length: 100, nullable: true })
  conversationId: string | null;

  @Column({ type: 'jsonb' })
  metadata: Record<string, unknown>;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'gateway_objects', type: 'jsonb' })
  gatewayObjects: GatewayObjectRef[];

  @Column({ name: 'checkout_url', type: 'text', nullable: true })
  checkoutUrl: string | null;

  @Column({ name: 'pix_copy_paste', type: 'text', nullable: true })
  pixCopyPaste: string | null;

  @Column({ name: 'pix_qr_code_png', type: 'text', nullable: true })
  pixQrCodePng: string | null;

  @Column({ name: 'pix_expires_at', type: 'timestamptz', nullable: true })
  pixExpiresAt: Date | null;

  @Column({ name: 'boleto_url', type: 'text', nullable: true })
  boletoUrl: string | null;

  @Column({ name: 'boleto_digitable_line', type: 'varchar', length: 60, nullable: true })
  boletoDigitableLine: string | null;

  @Column({ name: 'boleto_barcode', type: 'varchar', length: 60, nullable: true })
  boletoBarcode: string | null;

  /** Retried payment attempts so far; the n-th uses the gateway reference "<id>:retry:<n>". */
  @Column({ name: 'retry_count', type: 'integer', default: 0 })
  retryCount: number;

  @Column({ name: 'creation_attempts', type: 'integer', default: 0 })
  creationAttempts: number;

  @Column({ name: 'creation_locked_until', type: 'timestamptz', nullable: true })
  creationLockedUntil: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true })
  lastSyncedAt: Date | null;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @Column({ name: 'canceled_at', type: 'timestamptz', nullable: true })
  canceledAt: Date | null;

  @OneToMany(() => ChargeItem, (item) => item.charge, { cascade: ['insert'] })
  items: ChargeItem[];
}
