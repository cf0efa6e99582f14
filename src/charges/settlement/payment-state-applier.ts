import { Injectable, Logger } from '@nestjs/common';
import Big from 'big.js';
import { EntityManager } from 'typeorm';
import { maxBig, minBig, ZERO } from '../../common/money/money';
import { GatewayPaymentState, GatewayPaymentStatus, GatewayRefundState } from '../../gateways/contract/payment-gateway';
import { GatewayConnection } from '../../gateways/connections/gateway-connection.entity';
import { CreditLedgerService } from '../../refunds/credits/credit-ledger.service';
import { RefundLedgerService } from '../../refunds/ledger/refund-ledger.service';
import { OutboundEvent, OutboundEventsService, OutboundEventType } from '../../webhooks/outbound/outbound-events.service';
import { Charge } from '../charge.entity';
import { balanceDue, toChargeView } from '../charge.view';
import { canTransition, ChargeStatus, isOpen } from '../domain/charge-status';
import { Payment, PaymentStatus } from '../payment.entity';
import { SettlementRepository } from './settlement.repository';

export type ApplyOrigin = 'webhook' | 'reconciliation';
export type ApplyOutcome = { kind: 'applied'; chargeId: string; transitions: ChargeStatus[] } | { kind: 'unknown_charge' };

/** What one gateway snapshot changed, collected while the charge row is locked. */
interface Effects {
  transitions: ChargeStatus[];
  events: OutboundEvent[];
}

const MONEY_RECEIVED: ReadonlySet<GatewayPaymentStatus> = new Set(['succeeded', 'refund_pending', 'refunded', 'partially_refunded', 'chargeback', 'chargeback_reversed']);

/**
 * Applies a normalized gateway payment snapshot to its charge, exactly once and in any order: snapshots are
 * cumulative (money received, refunds done), so only increases over what the payment row already holds are
 * applied, and status changes go through the transition table, so stale events never move a charge back.
 */
@Injectable()
export class PaymentStateApplier {
  private readonly logger = new Logger('Settlement');

  constructor(
    private readonly settlement: SettlementRepository,
    private readonly credits: CreditLedgerService,
    private readonly refunds: RefundLedgerService,
    private readonly events: OutboundEventsService,
  ) {}

  async apply(connection: GatewayConnection, state: GatewayPaymentState, origin: ApplyOrigin): Promise<ApplyOutcome> {
    const chargeId = await this.settlement.findChargeId(connection.id, state.externalReference, state.gatewayPaymentId);
    if (!chargeId) return { kind: 'unknown_charge' };
    const transitions = await this.settlement.transaction(async (manager) => {
      const charge = await this.settlement.lockCharge(manager, chargeId);
      const effects: Effects = { transitions: [], events: [] };
      const payment = await this.paymentRow(manager, charge, connection, state);
      await this.applyMoneyReceived(manager, charge, payment, state, effects);
      await this.applyRefunds(manager, charge, payment, state, origin, effects);
      await this.applyStatusOnly(manager, charge, payment, state, effects);
      this.updatePaymentStatus(payment, state);
      await this.settlement.savePayment(manager, payment);
      await this.settlement.saveCharge(manager, charge);
      await this.recordEvents(manager, charge, effects);
      return effects.transitions;
    });
    return { kind: 'applied', chargeId, transitions };
  }

  private async paymentRow(manager: EntityManager, charge: Charge, connection: GatewayConnection, state: GatewayPaymentState): Promise<Payment> {
    const existing = await this.settlement.findPayment(manager, connection.id, state.gatewayPaymentId);
    if (existing) return existing;
    // A payment we did not create directly, e.g. the one Checkout Pro creates when the customer pays by card.
    return this.settlement.insertPayment(manager, {
      chargeId: charge.id,
      accountId: charge.accountId,
      connectionId: connection.id,
      method: state.method,
      amount: state.amount,
      status: 'pending',
      idempotencyKey: `${charge.id}:payment:${state.gatewayPaymentId}`,
      gatewayObjectKind: 'payment',
      gatewayPaymentId: state.gatewayPaymentId,
    });
  }

  private async applyMoneyReceived(manager: EntityManager, charge: Charge, payment: Payment, state: GatewayPaymentState, effects: Effects): Promise<void> {
    if (!MONEY_RECEIVED.has(state.status) || !state.amountPaid) return;
    const lateCharges = state.interestAmount.plus(state.fineAmount);
    const principal = maxBig(ZERO, state.amountPaid.minus(lateCharges));
    const delta = principal.minus(payment.amountReceived);
    const lateDelta = lateCharges.minus(payment.interestAmount.plus(payment.fineAmount));
    if (lateDelta.gt(0)) charge.interestReceived = charge.interestReceived.plus(lateDelta);
    payment.interestAmount = state.interestAmount;
    payment.fineAmount = state.fineAmount;
    if (delta.lte(0)) return;
    payment.amountReceived = principal;
    if (isOpen(charge.status) || charge.status === 'pending') await this.payOpenCharge(manager, charge, payment, delta, effects);
    else await this.creditPaymentOnClosedCharge(manager, charge, payment, delta, effects);
  }

  private async payOpenCharge(manager: EntityManager, charge: Charge, payment: Payment, received: Big, effects: Effects): Promise<void> {
    const applied = minBig(received, balanceDue(charge));
    const surplus = received.minus(applied);
    charge.amountPaid = charge.amountPaid.plus(applied);
    if (surplus.gt(0)) {
      await this.credit(manager, charge, surplus, 'overpayment', `Overpayment credit on charge ${charge.number}`, `overpayment:${payment.id}:${payment.amountReceived.toFixed(2)}`);
    }
    this.transition(charge, balanceDue(charge).eq(0) ? 'paid' : 'partially_paid', effects);
  }

  /** Money arriving on a charge that is already paid, canceled or refunded becomes customer credit in full. */
  private async creditPaymentOnClosedCharge(manager: EntityManager, charge: Charge, payment: Payment, received: Big, effects: Effects): Promise<void> {
    const description = `Payment received on ${charge.status} charge ${charge.number}`;
    await this.credit(manager, charge, received, 'already_paid', description, `already_paid:${payment.id}:${payment.amountReceived.toFixed(2)}`);
    effects.events.push({ accountId: charge.accountId, type: 'charge.payment_credited', data: { chargeId: charge.id, chargeStatus: charge.status, amount: received.toFixed(2), reason: description } });
    this.logger.warn({ msg: 'payment on a closed charge credited to the customer', chargeId: charge.id, status: charge.status, amount: received.toFixed(2) });
  }

  private async applyRefunds(manager: EntityManager, charge: Charge, payment: Payment, state: GatewayPaymentState, origin: ApplyOrigin, effects: Effects): Promise<void> {
    const refunds = [...state.refunds.filter((refund) => refund.status === 'succeeded'), ...this.unlistedRefunds(payment, state), ...chargebackOf(payment, state)];
    let refundedDelta = ZERO;
    for (const refund of refunds) {
      const counted = await this.countRefund(manager, charge, payment, refund, origin, effects);
      refundedDelta = refundedDelta.plus(counted);
    }
    if (refundedDelta.eq(0)) return;
    payment.amountRefunded = payment.amountRefunded.plus(refundedDelta);
    // Refunds of interest are not refunds of the charge: the charge never refunds more than it was paid.
    charge.amountRefunded = minBig(charge.amountPaid, charge.amountRefunded.plus(refundedDelta));
    this.transition(charge, charge.amountRefunded.gte(charge.amountPaid) ? 'refunded' : 'partially_refunded', effects);
  }

  /** Returns the amount newly counted: a refund already known (its sync answer or an earlier event) counts once. */
  private async countRefund(manager: EntityManager, charge: Charge, payment: Payment, refund: GatewayRefundState & { kind?: 'refund' | 'chargeback' }, origin: ApplyOrigin, effects: Effects): Promise<Big> {
    const known = await this.refunds.findByGatewayRefund(manager, payment.id, refund.gatewayRefundId);
    if (known?.status === 'succeeded') return ZERO;
    const counted = known ? await this.refunds.markSucceeded(manager, known.id) : await this.refunds.recordSucceeded(manager, {
      accountId: charge.accountId,
      chargeId: charge.id,
      paymentId: payment.id,
      kind: refund.kind ?? 'refund',
      origin: origin === 'webhook' ? 'gateway_panel' : 'reconciliation',
      amount: refund.amount,
      gatewayRefundId: refund.gatewayRefundId,
      reason: refund.kind === 'chargeback' ? 'chargeback opened by the card holder' : 'refund seen at the gateway',
    });
    if (!counted) return ZERO;
    effects.events.push({ accountId: charge.accountId, type: 'refund.succeeded', data: { chargeId: charge.id, gatewayRefundId: refund.gatewayRefundId, kind: refund.kind ?? 'refund', amount: refund.amount.toFixed(2) } });
    return known ? new Big(known.amount) : refund.amount;
  }

  /** Gateways that report only a refunded total: the part not covered by listed refunds is one refund. */
  private unlistedRefunds(payment: Payment, state: GatewayPaymentState): GatewayRefundState[] {
    const listed = state.refunds.filter((refund) => refund.status === 'succeeded').reduce((total, refund) => total.plus(refund.amount), ZERO);
    const unlisted = state.amountRefunded.minus(maxBig(listed, payment.amountRefunded));
    if (unlisted.lte(0) || state.refunds.length > 0) return [];
    return [{ gatewayRefundId: `total:${state.amountRefunded.toFixed(2)}`, status: 'succeeded', providerStatus: state.providerStatus, amount: unlisted, createdAt: null }];
  }

  private async applyStatusOnly(manager: EntityManager, charge: Charge, payment: Payment, state: GatewayPaymentState, effects: Effects): Promise<void> {
    if (state.status === 'overdue') this.transition(charge, 'overdue', effects);
    if (state.status !== 'canceled' || charge.amountPaid.gt(0)) return;
    // A charge is canceled at the gateway only when every payable object of it is.
    const others = (await this.settlement.paymentsOf(manager, charge.id)).filter((other) => other.id !== payment.id && other.gatewayObjectKind === 'payment');
    if (others.every((other) => other.status === 'canceled' || other.status === 'failed')) this.transition(charge, 'canceled', effects);
  }

  private updatePaymentStatus(payment: Payment, state: GatewayPaymentState): void {
    payment.status = paymentStatusOf(state, payment);
    payment.providerStatus = state.providerStatus.slice(0, 64);
    payment.providerResponse = state.raw;
  }

  /** Through the transition table only; a further partial payment or refund is news even without a status change. */
  private transition(charge: Charge, to: ChargeStatus, effects: Effects): void {
    const repeatable = to === 'partially_paid' || to === 'partially_refunded';
    if (charge.status === to && !repeatable) return;
    if (charge.status !== to && !canTransition(charge.status, to)) {
      this.logger.log({ msg: 'transition ignored', chargeId: charge.id, from: charge.status, to });
      return;
    }
    charge.status = to;
    if (to === 'paid') charge.paidAt = new Date();
    if (to === 'canceled') charge.canceledAt = new Date();
    effects.transitions.push(to);
    effects.events.push({ accountId: charge.accountId, type: `charge.${to}` as OutboundEventType, data: {} });
  }

  private async credit(manager: EntityManager, charge: Charge, amount: Big, kind: 'overpayment' | 'already_paid', description: string, sourceKey: string): Promise<void> {
    await this.credits.record(manager, { accountId: charge.accountId, customerId: charge.customerId, amount, kind, description, chargeId: charge.id, sourceKey });
  }

  private async recordEvents(manager: EntityManager, charge: Charge, effects: Effects): Promise<void> {
    const view = { ...toChargeView({ ...charge, items: [] } as Charge), pix: undefined };
    for (const event of effects.events) {
      const data = event.type.startsWith('charge.') && event.type !== 'charge.payment_credited' ? { charge: view } : { ...event.data, charge: view };
      await this.events.record(manager, { ...event, data });
    }
  }
}

function chargebackOf(payment: Payment, state: GatewayPaymentState): Array<GatewayRefundState & { kind: 'chargeback' }> {
  if (state.status !== 'chargeback') return [];
  const disputed = payment.amountReceived.minus(payment.amountRefunded);
  if (disputed.lte(0)) return [];
  return [{ gatewayRefundId: 'chargeback', status: 'succeeded', providerStatus: state.providerStatus, amount: disputed, createdAt: null, kind: 'chargeback' }];
}

function paymentStatusOf(state: GatewayPaymentState, payment: Payment): PaymentStatus {
  switch (state.status) {
    case 'pending':
    case 'overdue':
      return 'pending';
    case 'processing':
      return 'processing';
    case 'succeeded':
    case 'chargeback_reversed':
    case 'refund_pending':
      return state.amountPaid && payment.amountReceived.lt(state.amount) ? 'partial' : 'succeeded';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    case 'refunded':
    case 'chargeback':
      return 'refunded';
    case 'partially_refunded':
      return 'partially_refunded';
  }
}
