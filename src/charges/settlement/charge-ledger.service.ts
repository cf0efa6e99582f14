import { Injectable, Logger } from '@nestjs/common';
import Big from 'big.js';
import { EntityManager } from 'typeorm';
import { minBig } from '../../common/money/money';
import { OutboundEvent, OutboundEventsService, OutboundEventType } from '../../webhooks/outbound/outbound-events.service';
import { Charge } from '../charge.entity';
import { toChargeView } from '../charge.view';
import { canTransition, ChargeStatus } from '../domain/charge-status';
import { Payment } from '../payment.entity';
import { SettlementRepository } from './settlement.repository';

/** What one change did to a charge, collected while its row is locked and written with it. */
export interface Effects {
  transitions: ChargeStatus[];
  events: OutboundEvent[];
}

export function noEffects(): Effects {
  return { transitions: [], events: [] };
}

/**
 * The operations every money change on a charge shares (webhooks, refunds, cancellations, retries):
 * the row lock, the transition table, refund counting and the outbox events of the change.
 */
@Injectable()
export class ChargeLedgerService {
  private readonly logger = new Logger('ChargeLedger');

  constructor(
    private readonly settlement: SettlementRepository,
    private readonly events: OutboundEventsService,
  ) {}

  /** Runs `work` in a transaction holding the charge's row lock, then saves the charge and writes its events. */
  async withLockedCharge<T>(chargeId: string, work: (manager: EntityManager, charge: Charge, effects: Effects) => Promise<T>): Promise<{ result: T; charge: Charge; effects: Effects }> {
    return this.settlement.transaction(async (manager) => {
      const charge = await this.settlement.lockCharge(manager, chargeId);
      const effects = noEffects();
      const result = await work(manager, charge, effects);
      await this.flush(manager, charge, effects);
      return { result, charge, effects };
    });
  }

  async flush(manager: EntityManager, charge: Charge, effects: Effects): Promise<void> {
    await this.settlement.saveCharge(manager, charge);
    charge.version += 1;
    await this.recordEvents(manager, charge, effects);
  }

  paymentsOf(manager: EntityManager, chargeId: string): Promise<Payment[]> {
    return this.settlement.paymentsOf(manager, chargeId);
  }

  transactionPayments(chargeId: string): Promise<Payment[]> {
    return this.settlement.transaction((manager) => this.settlement.paymentsOf(manager, chargeId));
  }

  savePayments(manager: EntityManager, payments: Payment[]): Promise<unknown> {
    return Promise.all(payments.map((payment) => this.settlement.savePayment(manager, payment)));
  }

  /** Through the transition table only; a further partial payment or refund is news even without a status change. */
  transition(charge: Charge, to: ChargeStatus, effects: Effects): boolean {
    const repeatable = to === 'partially_paid' || to === 'partially_refunded';
    if (charge.status === to && !repeatable) return false;
    if (charge.status !== to && !canTransition(charge.status, to)) {
      this.logger.log({ msg: 'transition ignored', chargeId: charge.id, from: charge.status, to });
      return false;
    }
    charge.status = to;
    if (to === 'paid') charge.paidAt = new Date();
    if (to === 'canceled') charge.canceledAt = new Date();
    effects.transitions.push(to);
    effects.events.push({ accountId: charge.accountId, type: `charge.${to}` as OutboundEventType, data: {} });
    return true;
  }

  /** Counts a succeeded refund on the charge (and its payment, when it went back through the gateway). */
  countRefund(charge: Charge, payment: Payment | null, amount: Big, effects: Effects, refund: { id?: string; gatewayRefundId?: string | null; kind?: string; destination?: string }): void {
    if (payment) payment.amountRefunded = payment.amountRefunded.plus(amount);
    // Refunds of interest are not refunds of the charge: the charge never refunds more than it was paid.
    charge.amountRefunded = minBig(charge.amountPaid, charge.amountRefunded.plus(amount));
    effects.events.push({ accountId: charge.accountId, type: 'refund.succeeded', data: { chargeId: charge.id, refundId: refund.id ?? null, gatewayRefundId: refund.gatewayRefundId ?? null, kind: refund.kind ?? 'refund', destination: refund.destination ?? 'gateway', amount: amount.toFixed(2) } });
    this.transition(charge, charge.amountRefunded.gte(charge.amountPaid) ? 'refunded' : 'partially_refunded', effects);
  }

  private async recordEvents(manager: EntityManager, charge: Charge, effects: Effects): Promise<void> {
    // Events carry the charge without the QR image: receivers can render it from the copy-and-paste code.
    const view = { ...toChargeView({ ...charge, items: charge.items ?? [] } as Charge), pix: undefined };
    for (const event of effects.events) {
      const data = event.type.startsWith('charge.') && event.type !== 'charge.payment_credited' ? { charge: view } : { ...event.data, charge: view };
      await this.events.record(manager, { ...event, data });
    }
  }
}
