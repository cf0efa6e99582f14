import { Injectable, Logger } from '@nestjs/common';
import Big from 'big.js';
import { EntityManager } from 'typeorm';
import { maxBig, minBig, ZERO } from '../../common/money/money';
import { GatewayPaymentState, GatewayPaymentStatus, GatewayRefundState } from '../../gateways/contract/payment-gateway';
import { GatewayConnection } from '../../gateways/connections/gateway-connection.entity';
import { CreditLedgerService } from '../../refunds/credits/credit-ledger.service';
import { RefundLedgerService } from '../../refunds/ledger/refund-ledger.service';
import { Charge } from '../charge.entity';
import { balanceDue } from '../charge.view';
import { ChargeStatus, isOpen } from '../domain/charge-status';
import { Payment, PaymentStatus } from '../payment.entity';
import { ChargeLedgerService, Effects } from './charge-ledger.service';
import { SettlementRepository } from './settlement.repository';

export type ApplyOrigin = 'webhook' | 'reconciliation';
export type ApplyOutcome = { kind: 'applied'; chargeId: string; transitions: ChargeStatus[] } | { kind: 'unknown_charge' };
type SeenRefund = GatewayRefundState & { kind?: 'refund' | 'chargeback' };

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
    private readonly ledger: ChargeLedgerService,
    private readonly credits: CreditLedgerService,
    private readonly refunds: RefundLedgerService,
  ) {}

  async apply(connection: GatewayConnection, state: GatewayPaymentState, origin: ApplyOrigin): Promise<ApplyOutcome> {
    const chargeId = await this.settlement.findChargeId(connection.id, chargeIdOf(state.externalReference), state.gatewayPaymentId);
    if (!chargeId) return { kind: 'unknown_charge' };
    const { effects } = await this.ledger.withLockedCharge(chargeId, async (manager, charge, changes) => {
      const payment = await this.paymentRow(manager, charge, connection, state);
      await this.applyMoneyReceived(manager, charge, payment, state, changes);
      await this.applyRefunds(manager, charge, payment, state, origin, changes);
      await this.applyStatusOnly(manager, charge, payment, state, changes);
      updatePaymentStatus(payment, state);
      await this.settlement.savePayment(manager, payment);
    });
    return { kind: 'applied', chargeId, transitions: effects.transitions };
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
      amountReceived: ZERO,
      amountRefunded: ZERO,
      interestAmount: ZERO,
      fineAmount: ZERO,
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
    this.ledger.transition(charge, balanceDue(charge).eq(0) ? 'paid' : 'partially_paid', effects);
  }

  /** Money arriving on a charge that is already paid, canceled or refunded becomes customer credit in full. */
  private async creditPaymentOnClosedCharge(manager: EntityManager, charge: Charge, payment: Payment, received: Big, effects: Effects): Promise<void> {
    const description = `Payment received on ${charge.status} charge ${charge.number}`;
    await this.credit(manager, charge, received, 'already_paid', description, `already_paid:${payment.id}:${payment.amountReceived.toFixed(2)}`);
    effects.events.push({ accountId: charge.accountId, type: 'charge.payment_credited', data: { chargeId: charge.id, chargeStatus: charge.status, amount: received.toFixed(2), reason: description } });
    this.logger.warn({ msg: 'payment on a closed charge credited to the customer', chargeId: charge.id, status: charge.status, amount: received.toFixed(2) });
  }

  private async applyRefunds(manager: EntityManager, charge: Charge, payment: Payment, state: GatewayPaymentState, origin: ApplyOrigin, effects: Effects): Promise<void> {
    const seen: SeenRefund[] = [...state.refunds.filter((refund) => refund.status === 'succeeded'), ...unlistedRefunds(payment, state), ...chargebackOf(payment, state)];
    for (const refund of seen) await this.countRefundOnce(manager, charge, payment, refund, origin, effects);
  }

  /**
   * A refund seen at the gateway counts once: when it is a refund we asked for (its id stored, or a pending one
   * of the same amount whose id we did not know yet) it completes that refund; otherwise it was made in the
   * gateway's own panel and is mirrored.
   */
  private async countRefundOnce(manager: EntityManager, charge: Charge, payment: Payment, refund: SeenRefund, origin: ApplyOrigin, effects: Effects): Promise<void> {
    const known = (await this.refunds.findByGatewayRefund(manager, payment.id, refund.gatewayRefundId)) ?? (await this.refunds.claimPendingRequest(manager, payment.id, refund.amount, refund.gatewayRefundId));
    if (known?.status === 'succeeded' || known?.status === 'canceled') return;
    if (known) {
      if (!(await this.refunds.markSucceeded(manager, known.id))) return;
      this.ledger.countRefund(charge, payment, new Big(known.amount), effects, { id: known.id, gatewayRefundId: refund.gatewayRefundId, kind: refund.kind });
      return;
    }
    const mirroredId = await this.refunds.recordSucceeded(manager, {
      accountId: charge.accountId,
      chargeId: charge.id,
      paymentId: payment.id,
      kind: refund.kind ?? 'refund',
      origin: origin === 'webhook' ? 'gateway_panel' : 'reconciliation',
      amount: refund.amount,
      gatewayRefundId: refund.gatewayRefundId,
      reason: refund.kind === 'chargeback' ? 'chargeback opened by the card holder' : 'refund made at the gateway',
    });
    if (mirroredId) this.ledger.countRefund(charge, payment, refund.amount, effects, { id: mirroredId, gatewayRefundId: refund.gatewayRefundId, kind: refund.kind });
  }

  private async applyStatusOnly(manager: EntityManager, charge: Charge, payment: Payment, state: GatewayPaymentState, effects: Effects): Promise<void> {
    if (state.status === 'overdue') this.ledger.transition(charge, 'overdue', effects);
    if (state.status !== 'canceled' || charge.amountPaid.gt(0)) return;
    // Canceled at the gateway only when every payable object of its current attempt is (a retry cancels the old ones).
    const current = new Set(charge.gatewayObjects.filter((object) => object.kind === 'payment').map((object) => object.id));
    if (!current.has(payment.gatewayPaymentId)) return;
    const others = (await this.settlement.paymentsOf(manager, charge.id)).filter((other) => other.id !== payment.id && current.has(other.gatewayPaymentId));
    if (others.every((other) => other.status === 'canceled' || other.status === 'failed')) this.ledger.transition(charge, 'canceled', effects);
  }

  private async credit(manager: EntityManager, charge: Charge, amount: Big, kind: 'overpayment' | 'already_paid', description: string, sourceKey: string): Promise<void> {
    await this.credits.record(manager, { accountId: charge.accountId, customerId: charge.customerId, amount, kind, description, chargeId: charge.id, sourceKey });
  }
}

/** Our references are the charge id, or "<charge id>:retry:<n>" for a retried payment attempt. */
export function chargeIdOf(externalReference: unknown): string | null {
  return typeof externalReference === 'string' && externalReference ? externalReference.split(':')[0] : null;
}

/** Gateways that report only a refunded total: the part not covered by listed refunds is one refund. */
function unlistedRefunds(payment: Payment, state: GatewayPaymentState): SeenRefund[] {
  if (state.refunds.length > 0) return [];
  const unlisted = state.amountRefunded.minus(payment.amountRefunded);
  if (unlisted.lte(0)) return [];
  return [{ gatewayRefundId: `total:${state.amountRefunded.toFixed(2)}`, status: 'succeeded', providerStatus: state.providerStatus, amount: unlisted, createdAt: null }];
}

function chargebackOf(payment: Payment, state: GatewayPaymentState): SeenRefund[] {
  if (state.status !== 'chargeback') return [];
  const disputed = payment.amountReceived.minus(payment.amountRefunded);
  if (disputed.lte(0)) return [];
  return [{ gatewayRefundId: 'chargeback', status: 'succeeded', providerStatus: state.providerStatus, amount: disputed, createdAt: null, kind: 'chargeback' }];
}

/** Where a payment is in its life; a stale snapshot (PENDING after RECEIVED) never moves it back. */
const PAYMENT_PROGRESS: Record<PaymentStatus, number> = { pending: 0, processing: 1, failed: 2, canceled: 2, partial: 3, succeeded: 4, partially_refunded: 5, refunded: 6 };

function updatePaymentStatus(payment: Payment, state: GatewayPaymentState): void {
  const next = paymentStatusOf(state, payment);
  // A failed or canceled attempt may come back (restored at the gateway, card retried on the checkout).
  const reopened = payment.status === 'failed' || payment.status === 'canceled';
  if (!reopened && PAYMENT_PROGRESS[next] < PAYMENT_PROGRESS[payment.status]) return;
  payment.status = next;
  payment.providerStatus = state.providerStatus.slice(0, 64);
  payment.providerResponse = state.raw;
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
