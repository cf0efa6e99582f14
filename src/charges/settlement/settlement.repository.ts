import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../common/database/sql';
import { Charge } from '../charge.entity';
import { Payment } from '../payment.entity';

@Injectable()
export class SettlementRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The charge a gateway payment belongs to: by our reference, else by a payment attempt we recorded. */
  async findChargeId(connectionId: string, externalReference: string | null, gatewayPaymentId: string): Promise<string | null> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM charges WHERE connection_id = $1 AND id::text = $2
       UNION ALL
       SELECT charge_id FROM payments WHERE connection_id = $1 AND gateway_payment_id = $3
       LIMIT 1`,
      [connectionId, externalReference ?? '', gatewayPaymentId],
    );
    return rows[0]?.id ?? null;
  }

  /** Locks the charge row: every change to a charge's money and status happens under this lock. */
  lockCharge(manager: EntityManager, chargeId: string): Promise<Charge> {
    return manager.getRepository(Charge).findOneOrFail({ where: { id: chargeId }, lock: { mode: 'pessimistic_write' } });
  }

  findPayment(manager: EntityManager, connectionId: string, gatewayPaymentId: string): Promise<Payment | null> {
    return manager.getRepository(Payment).findOneBy({ connectionId, gatewayObjectKind: 'payment', gatewayPaymentId });
  }

  insertPayment(manager: EntityManager, payment: Partial<Payment>): Promise<Payment> {
    const repository = manager.getRepository(Payment);
    return repository.save(repository.create(payment));
  }

  /** A plain UPDATE of the row already locked and loaded (save() would first re-read it). */
  async savePayment(manager: EntityManager, payment: Payment): Promise<Payment> {
    const { id, createdAt: _createdAt, updatedAt: _updatedAt, ...columns } = payment;
    await manager.getRepository(Payment).update({ id }, columns as never);
    return payment;
  }

  paymentsOf(manager: EntityManager, chargeId: string): Promise<Payment[]> {
    return manager.getRepository(Payment).find({ where: { chargeId } });
  }

  async saveCharge(manager: EntityManager, charge: Charge): Promise<void> {
    const { id, items: _items, seq: _seq, createdAt: _createdAt, updatedAt: _updatedAt, ...columns } = charge;
    await manager.getRepository(Charge).update({ id }, { ...columns, version: charge.version + 1 } as never);
  }
}
