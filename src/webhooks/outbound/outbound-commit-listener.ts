import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { OutboundDispatcher } from './outbound-dispatcher';

/**
 * Kicks a dispatch once the transaction that recorded an event commits: earlier, the dispatcher would not see
 * the row yet. Only transactions in flight are remembered, and a lost kick just waits for the periodic dispatch.
 */
@Injectable()
export class OutboundCommitListener implements EntitySubscriberInterface {
  private readonly transactionsWithEvents = new WeakSet<QueryRunner>();

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly dispatcher: OutboundDispatcher,
  ) {
    dataSource.subscribers.push(this);
  }

  kickAfterCommit(manager: EntityManager): void {
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) this.transactionsWithEvents.add(runner);
    else this.dispatcher.kick();
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // Still active after a commit means a savepoint was released inside an outer transaction.
    if (event.queryRunner.isTransactionActive || !this.transactionsWithEvents.delete(event.queryRunner)) return;
    this.dispatcher.kick();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.transactionsWithEvents.delete(event.queryRunner);
  }
}
