import { Injectable, Logger } from '@nestjs/common';
import Big from 'big.js';
import { EntityManager } from 'typeorm';
import { AccountPrincipal } from '../accounts/auth/principal';
import { AccountsService } from '../accounts/accounts.service';
import { Charge } from '../charges/charge.entity';
import { ChargesService } from '../charges/charges.service';
import { Payment } from '../charges/payment.entity';
import { ChargeLedgerService, Effects } from '../charges/settlement/charge-ledger.service';
import { ApiError } from '../common/errors/api-error';
import { parseAmount, sum, ZERO } from '../common/money/money';
import { GatewayCapabilities, GatewayError, GatewayRefundState } from '../gateways/contract/payment-gateway';
import { GatewayConnection } from '../gateways/connections/gateway-connection.entity';
import { GatewayConnectionsService } from '../gateways/connections/gateway-connections.service';
import { GatewayClient } from '../gateways/gateway-client';
import { CreditLedgerService } from './credits/credit-ledger.service';
import { RefundLedgerService } from './ledger/refund-ledger.service';
import { RefundView, toRefundView } from './refund.view';
import { CreateRefundDto } from './refunds.dto';
import { RefundRecord, RefundsRepository } from './refunds.repository';

interface RefundRequest {
  requested: Big | null;
  destination: 'gateway' | 'credit';
  reason: string | null;
  idempotencyKey: string | null;
  capabilities: GatewayCapabilities;
}

interface Reservation {
  refund: RefundRecord;
  payment: Payment | null;
  /** Send no amount: the gateway refunds the whole payment (gateways without partial refunds). */
  whole: boolean;
}

/**
 * Refunds: under the charge's row lock the refundable amount (paid - refunded - pending) is reserved as a
 * pending refund, then the gateway is asked outside the lock, with the refund id as idempotency key. The
 * synchronous answer and the later webhook complete the same refund row, so it is counted once.
 */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger('Refunds');

  constructor(
    private readonly charges: ChargesService,
    private readonly ledger: ChargeLedgerService,
    private readonly refunds: RefundsRepository,
    private readonly refundLedger: RefundLedgerService,
    private readonly credits: CreditLedgerService,
    private readonly connections: GatewayConnectionsService,
    private readonly gateways: GatewayClient,
    private readonly accounts: AccountsService,
  ) {}

  async create(principal: AccountPrincipal, chargeId: string, input: CreateRefundDto, idempotencyKey: string | null): Promise<RefundView> {
    await this.assertMayRefund(principal);
    const charge = await this.charges.require(principal.accountId, chargeId);
    const earlier = idempotencyKey ? await this.refunds.findByIdempotencyKey(principal.accountId, idempotencyKey) : null;
    if (earlier) return toRefundView(earlier);
    const connection = (await this.connections.findById(charge.connectionId))!;
    const request: RefundRequest = {
      requested: input.amount === undefined ? null : parseAmount(input.amount, { field: 'amount' }),
      destination: input.destination ?? 'gateway',
      reason: input.reason ?? null,
      idempotencyKey,
      capabilities: this.connections.adapterFor(connection).capabilities,
    };
    const { result: reservation } = await this.ledger.withLockedCharge(charge.id, (manager, locked, effects) => this.reserve(manager, locked, effects, request));
    if (!reservation.payment) return toRefundView(reservation.refund);
    return this.executeAtGateway(connection, reservation);
  }

  async list(accountId: string, chargeId: string): Promise<{ data: RefundView[]; nextCursor: null }> {
    await this.charges.require(accountId, chargeId);
    return { data: (await this.refunds.listForCharge(chargeId)).map(toRefundView), nextCursor: null };
  }

  /** Asks the gateway again for a refund left pending (timeout, crash); the idempotency key makes it safe. */
  async resume(refundId: string): Promise<RefundView> {
    const refund = (await this.refunds.find(refundId))!;
    if (refund.status !== 'pending' || !refund.payment_id) return toRefundView(refund);
    const charge = await this.charges.requireById(refund.charge_id);
    const connection = (await this.connections.findById(charge.connectionId))!;
    const payments = await this.ledger.transactionPayments(charge.id);
    const payment = payments.find((candidate) => candidate.id === refund.payment_id)!;
    return this.executeAtGateway(connection, { refund, payment, whole: !this.connections.adapterFor(connection).capabilities.partialRefund });
  }

  private async reserve(manager: EntityManager, charge: Charge, effects: Effects, request: RefundRequest): Promise<Reservation> {
    if (charge.amountPaid.lte(charge.amountRefunded)) throw ApiError.conflict('charge_not_refundable', `A ${charge.status} charge with nothing left to refund cannot be refunded`);
    const pending = await this.refunds.pendingByPayment(manager, charge.id);
    const refundable = charge.amountPaid.minus(charge.amountRefunded).minus(sum([...pending.values()]));
    const amount = request.requested ?? refundable;
    if (amount.lte(0) || amount.gt(refundable)) throw exceeds('refund_exceeds_refundable', refundable, 'the charge');
    if (request.destination === 'credit') return this.refundToCredit(manager, charge, effects, amount, request);
    const payment = await this.choosePayment(manager, charge, pending, amount);
    const whole = !request.capabilities.partialRefund;
    if (whole && !amount.eq(payment.amountReceived.minus(payment.amountRefunded))) {
      throw ApiError.unprocessable('partial_refund_unavailable', 'This gateway refunds only whole payments', [{ field: 'amount', message: 'leave amount out to refund the whole payment' }]);
    }
    const refund = await this.refunds.insert(manager, { accountId: charge.accountId, chargeId: charge.id, paymentId: payment.id, destination: 'gateway', amount, status: 'pending', reason: request.reason, idempotencyKey: request.idempotencyKey });
    return { refund, payment, whole };
  }

  /** No gateway involved: the amount becomes customer credit at once. */
  private async refundToCredit(manager: EntityManager, charge: Charge, effects: Effects, amount: Big, request: RefundRequest): Promise<Reservation> {
    const refund = await this.refunds.insert(manager, { accountId: charge.accountId, chargeId: charge.id, paymentId: null, destination: 'credit', amount, status: 'succeeded', reason: request.reason, idempotencyKey: request.idempotencyKey });
    await this.credits.record(manager, { accountId: charge.accountId, customerId: charge.customerId, amount, kind: 'refund_to_credit', description: `Refund to credit on charge ${charge.number}`, chargeId: charge.id, sourceKey: `refund:${refund.id}` });
    this.ledger.countRefund(charge, null, amount, effects, { id: refund.id, destination: 'credit' });
    return { refund, payment: null, whole: false };
  }

  /** The gateway payment with the most left to refund; one refund goes back through one payment. */
  private async choosePayment(manager: EntityManager, charge: Charge, pending: Map<string | null, Big>, amount: Big): Promise<Payment> {
    const remaining = (payment: Payment) => payment.amountReceived.minus(payment.amountRefunded).minus(pending.get(payment.id) ?? ZERO);
    const payments = (await this.ledger.paymentsOf(manager, charge.id)).filter((payment) => remaining(payment).gt(0)).sort((a, b) => remaining(b).cmp(remaining(a)));
    if (payments.length === 0 || amount.gt(remaining(payments[0]))) throw exceeds('refund_exceeds_payment', payments[0] ? remaining(payments[0]) : ZERO, 'one gateway payment (refund in parts)');
    return payments[0];
  }

  private async executeAtGateway(connection: GatewayConnection, reservation: Reservation): Promise<RefundView> {
    const { refund, payment, whole } = reservation;
    try {
      const state = await this.gateways.call(connection, (adapter, ctx) =>
        adapter.refund(ctx, { gatewayPaymentId: payment!.gatewayPaymentId, amount: whole ? undefined : new Big(refund.amount), idempotencyKey: refund.id, description: refund.reason ?? undefined }),
      );
      await this.settle(refund, state);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      if (error.retryable) this.logger.warn({ msg: 'refund left pending; it will be retried', refundId: refund.id, reason: error.providerMessage });
      else await this.fail(refund, error.providerMessage);
    }
    return toRefundView((await this.refunds.find(refund.id))!);
  }

  /** The gateway's synchronous answer; a webhook that came first already completed the same row. */
  private async settle(refund: RefundRecord, state: GatewayRefundState): Promise<void> {
    if (state.status === 'failed' || state.status === 'canceled') return this.fail(refund, `the gateway answered ${state.providerStatus}`);
    await this.ledger.withLockedCharge(refund.charge_id, async (manager, charge, effects) => {
      const twin = await this.refundLedger.findByGatewayRefund(manager, refund.payment_id!, state.gatewayRefundId);
      if (twin && twin.id !== refund.id) {
        await this.refundLedger.markCanceled(manager, refund.id, `already counted as refund ${twin.id}`);
        return;
      }
      await this.refunds.setGatewayRefundId(manager, refund.id, state.gatewayRefundId);
      if (state.status !== 'succeeded' || !(await this.refundLedger.markSucceeded(manager, refund.id))) return;
      const payments = await this.ledger.paymentsOf(manager, charge.id);
      const payment = payments.find((candidate) => candidate.id === refund.payment_id)!;
      this.ledger.countRefund(charge, payment, new Big(refund.amount), effects, { id: refund.id, gatewayRefundId: state.gatewayRefundId });
      await this.ledger.savePayments(manager, [payment]);
    });
  }

  private async fail(refund: RefundRecord, reason: string): Promise<void> {
    await this.ledger.withLockedCharge(refund.charge_id, async (manager, charge, effects) => {
      if (!(await this.refundLedger.markFailed(manager, refund.id, reason))) return;
      effects.events.push({ accountId: charge.accountId, type: 'refund.failed', data: { chargeId: charge.id, refundId: refund.id, amount: refund.amount, reason } });
    });
    this.logger.warn({ msg: 'refund failed at the gateway', refundId: refund.id, reason });
  }

  private async assertMayRefund(principal: AccountPrincipal): Promise<void> {
    if (principal.role === 'admin') return;
    if (principal.role === 'agent' && (await this.accounts.settings(principal.accountId)).agentsMayRefund) return;
    throw ApiError.forbidden('forbidden_role', 'Only admins can refund in this account (an admin can let agents refund in the account settings)');
  }
}

function exceeds(code: string, refundable: Big, scope: string): ApiError {
  const message = `At most ${refundable.toFixed(2)} can be refunded on ${scope}`;
  return ApiError.unprocessable(code, message, [{ field: 'amount', message }]);
}
