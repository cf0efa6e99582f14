import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import Big from 'big.js';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { queryRows } from '../common/database/sql';
import { ChargeItem } from './charge-item.entity';
import { Charge } from './charge.entity';
import { ChargeStatus } from './domain/charge-status';
import { Payment } from './payment.entity';

export interface ChargeListFilter {
  statuses?: ChargeStatus[];
  customerId?: string;
  createdFrom?: string;
  createdTo?: string;
  dueFrom?: string;
  dueTo?: string;
  beforeSeq: bigint | null;
  limit: number;
}

export type ChargeArtifacts = Pick<
  Charge,
  'gatewayObjects' | 'checkoutUrl' | 'pixCopyPaste' | 'pixQrCodePng' | 'pixExpiresAt' | 'boletoUrl' | 'boletoDigitableLine' | 'boletoBarcode'
>;

/** How long one process may work on creating a charge at the gateway before another may take over. */
export const CREATION_LEASE_SECONDS = 60;

@Injectable()
export class ChargesRepository {
  constructor(
    @InjectRepository(Charge) private readonly charges: Repository<Charge>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async insertPending(manager: EntityManager, charge: Partial<Charge>, items: Array<Partial<ChargeItem>>): Promise<void> {
    // Saved with the creation lease held by the creating request, so recovery leaves it alone meanwhile.
    await manager.getRepository(Charge).insert({ ...charge, creationAttempts: 1, creationLockedUntil: () => `now() + interval '${CREATION_LEASE_SECONDS} seconds'` } as never);
    await manager.getRepository(ChargeItem).insert(items.map((item) => ({ ...item, charge: { id: charge.id } })) as never[]);
  }

  findInAccount(accountId: string, id: string): Promise<Charge | null> {
    return this.charges.findOne({ where: { accountId, id }, relations: { items: true }, order: { items: { position: 'ASC' } } });
  }

  findById(id: string): Promise<Charge | null> {
    return this.charges.findOne({ where: { id }, relations: { items: true }, order: { items: { position: 'ASC' } } });
  }

  findByIdempotencyKey(accountId: string, idempotencyKey: string): Promise<Charge | null> {
    return this.charges.findOne({ where: { accountId, idempotencyKey }, relations: { items: true } });
  }

  /** Takes the creation lease of a pending charge; only one process at a time talks to the gateway for it. */
  async takeCreationLease(id: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      `UPDATE charges SET creation_locked_until = now() + make_interval(secs => $2), creation_attempts = creation_attempts + 1
       WHERE id = $1 AND status = 'pending' AND (creation_locked_until IS NULL OR creation_locked_until < now()) RETURNING id`,
      [id, CREATION_LEASE_SECONDS],
    );
    return rows.length > 0;
  }

  async releaseCreationLease(id: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE charges SET creation_locked_until = now(), last_error = $2, updated_at = now() WHERE id = $1 AND status = 'pending'`, [id, error]);
  }

  /** pending -> awaiting_payment with the gateway's artifacts; false when another process already did it. */
  async completeCreation(manager: EntityManager, id: string, artifacts: ChargeArtifacts): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Charge)
      .set({ ...artifacts, status: 'awaiting_payment', creationLockedUntil: null, lastError: null, version: () => 'version + 1' })
      .where('id = :id AND status = :pending', { id, pending: 'pending' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** The customer's credit used on a new charge; a charge fully covered by it is paid with nothing to collect. */
  async applyCredit(manager: EntityManager, id: string, credit: Big, plan: Charge['installmentPlan'], paid: boolean): Promise<void> {
    await manager.query(
      `UPDATE charges SET credit_applied = $2, installment_plan = $3::jsonb,
         status = CASE WHEN $4 THEN 'paid'::charge_status ELSE status END,
         paid_at = CASE WHEN $4 THEN now() ELSE paid_at END,
         creation_locked_until = CASE WHEN $4 THEN NULL ELSE creation_locked_until END
       WHERE id = $1`,
      [id, credit.toFixed(2), JSON.stringify(plan), paid],
    );
  }

  async markFailed(manager: EntityManager, id: string, reason: string): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `UPDATE charges SET status = 'failed', last_error = $2, creation_locked_until = NULL, version = version + 1, updated_at = now()
       WHERE id = $1 AND status = 'pending' RETURNING id`,
      [id, reason],
    );
    return rows.length > 0;
  }

  async insertPayments(manager: EntityManager, payments: Array<Partial<Payment>>): Promise<void> {
    if (payments.length === 0) return;
    await manager.createQueryBuilder().insert().into(Payment).values(payments as never[]).orIgnore().execute();
  }

  findPayments(chargeId: string): Promise<Payment[]> {
    return this.dataSource.getRepository(Payment).find({ where: { chargeId }, order: { createdAt: 'ASC' } });
  }

  /** Pending charges whose creation lease expired: their creator died or the gateway timed out. */
  async findRecoverable(limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM charges WHERE status = 'pending' AND (creation_locked_until IS NULL OR creation_locked_until < now())
       ORDER BY updated_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  list(accountId: string, filter: ChargeListFilter): Promise<Charge[]> {
    const query = this.charges.createQueryBuilder('c').leftJoinAndSelect('c.items', 'items').where('c.account_id = :accountId', { accountId });
    if (filter.statuses?.length) query.andWhere('c.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.customerId) query.andWhere('c.customer_id = :customerId', { customerId: filter.customerId });
    if (filter.createdFrom) query.andWhere('c.created_at >= :createdFrom', { createdFrom: filter.createdFrom });
    if (filter.createdTo) query.andWhere('c.created_at < :createdTo', { createdTo: filter.createdTo });
    if (filter.dueFrom) query.andWhere('c.due_date >= :dueFrom', { dueFrom: filter.dueFrom });
    if (filter.dueTo) query.andWhere('c.due_date <= :dueTo', { dueTo: filter.dueTo });
    if (filter.beforeSeq !== null) query.andWhere('c.seq < :seq', { seq: filter.beforeSeq.toString() });
    return query.orderBy('c.seq', 'DESC').addOrderBy('items.position', 'ASC').take(filter.limit + 1).getMany();
  }
}
