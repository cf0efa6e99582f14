import { Injectable, Logger } from '@nestjs/common';
import Big from 'big.js';
import { Charge } from '../../charges/charge.entity';
import { balanceDue, ChargeView } from '../../charges/charge.view';
import { ChargesRepository } from '../../charges/charges.repository';
import { ChargesService } from '../../charges/charges.service';
import { ReminderScheduler } from '../../charges/reminders/reminder-scheduler';
import { paymentsFor, toArtifacts } from '../../charges/create/gateway-artifacts';
import { CustomersService, toGatewayCustomer } from '../../charges/customers/customers.service';
import { addDaysToDate, isCalendarDate, todayInSaoPaulo } from '../../charges/domain/due-date';
import { ChargeLedgerService } from '../../charges/settlement/charge-ledger.service';
import { ApiError } from '../../common/errors/api-error';
import { GatewayChargeResult, GatewayError } from '../../gateways/contract/payment-gateway';
import { GatewayConnection } from '../../gateways/connections/gateway-connection.entity';
import { GatewayConnectionsService, gatewayUnavailable } from '../../gateways/connections/gateway-connections.service';
import { GatewayClient } from '../../gateways/gateway-client';

const DEFAULT_RETRY_DAYS = 3;

/**
 * A new payment attempt for a charge whose payment failed or expired: same methods, the balance due, a new
 * reference "<id>:retry:<n>" (so a new PIX code / boleto / checkout link) and a new idempotency key. The
 * attempt number is only stored once the attempt exists, so a crash in between reuses the same reference
 * and the gateway look-up finds the attempt instead of creating a second one.
 */
@Injectable()
export class ChargeRetryService {
  private readonly logger = new Logger('ChargeRetry');

  constructor(
    private readonly charges: ChargesService,
    private readonly chargeRows: ChargesRepository,
    private readonly ledger: ChargeLedgerService,
    private readonly customers: CustomersService,
    private readonly connections: GatewayConnectionsService,
    private readonly gateways: GatewayClient,
    private readonly reminders: ReminderScheduler,
  ) {}

  async retry(accountId: string, chargeId: string, requestedDueDate: string | undefined): Promise<ChargeView> {
    const charge = await this.charges.require(accountId, chargeId);
    await this.assertRetryable(charge);
    const dueDate = validDueDate(requestedDueDate);
    const attempt = charge.retryCount + 1;
    const reference = `${charge.id}:retry:${attempt}`;
    const connection = (await this.connections.findById(charge.connectionId))!;
    const amount = charge.status === 'failed' ? charge.total.minus(charge.creditApplied) : balanceDue(charge);
    const result = await this.createAttempt(charge, connection, { reference, amount, dueDate });
    await this.record(charge, connection, result, { attempt, amount, dueDate });
    // Only after the new attempt is the charge's current one: the cancellation webhook then concerns an old attempt.
    await this.cancelPreviousAttempt(charge, connection);
    await this.reminders.scheduleFor(chargeId);
    return this.charges.get(accountId, chargeId);
  }

  private async assertRetryable(charge: Charge): Promise<void> {
    if (charge.status === 'overdue' || charge.status === 'failed') return;
    if (charge.status === 'awaiting_payment') {
      const payments = await this.ledger.transactionPayments(charge.id);
      if (payments.length > 0 && payments.every((payment) => payment.status === 'failed' || payment.status === 'canceled')) return;
    }
    throw ApiError.conflict('charge_not_retryable', `Only charges whose payment failed or expired can be retried (this one is ${charge.status})`);
  }

  /** The old PIX code or boleto must not be paid next to the new one; if it cannot be canceled, a late payment still counts. */
  private async cancelPreviousAttempt(charge: Charge, connection: GatewayConnection): Promise<void> {
    if (charge.gatewayObjects.length === 0) return;
    await this.gateways.call(connection, (adapter, ctx) => adapter.cancelCharge(ctx, charge.gatewayObjects)).catch((error: unknown) => {
      this.logger.warn({ msg: 'previous attempt not canceled at the gateway', chargeId: charge.id, reason: error instanceof Error ? error.message : String(error) });
    });
  }

  private async createAttempt(charge: Charge, connection: GatewayConnection, attempt: { reference: string; amount: Big; dueDate: string }): Promise<GatewayChargeResult> {
    try {
      const existing = await this.gateways.call(connection, (adapter, ctx) => adapter.findChargeByReference(ctx, attempt.reference));
      if (existing) return existing;
      const customer = toGatewayCustomer(await this.customers.require(charge.customerId));
      const gatewayCustomerId = await this.customers.gatewayCustomerId(connection, customer);
      return await this.gateways.call(connection, (adapter, ctx) =>
        adapter.createCharge(ctx, {
          reference: attempt.reference,
          idempotencyKey: attempt.reference,
          gatewayCustomerId,
          customer,
          amount: attempt.amount,
          dueDate: attempt.dueDate,
          methods: charge.paymentMethods,
          installments: 1,
          description: charge.description ?? `Cobrança #${charge.number}`,
          notificationUrl: this.connections.webhookUrl(connection.provider, connection.id),
        }),
      );
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      if (error.retryable) throw gatewayUnavailable(error);
      throw ApiError.unprocessable('gateway_rejected_charge', `The gateway refused the new attempt: ${error.providerMessage}`);
    }
  }

  private async record(charge: Charge, connection: GatewayConnection, result: GatewayChargeResult, attempt: { attempt: number; amount: Big; dueDate: string }): Promise<void> {
    const artifacts = await toArtifacts(result);
    await this.ledger.withLockedCharge(charge.id, async (manager, locked, effects) => {
      if (locked.retryCount >= attempt.attempt) return;
      Object.assign(locked, artifacts, { retryCount: attempt.attempt, dueDate: attempt.dueDate, lastError: null });
      await this.chargeRows.insertPayments(manager, paymentsFor({ ...locked, installments: 1 } as Charge, connection, result, attempt.amount));
      if (locked.status !== 'awaiting_payment') this.ledger.transition(locked, 'awaiting_payment', effects);
      else effects.events.push({ accountId: locked.accountId, type: 'charge.awaiting_payment', data: {} });
    });
  }
}

function validDueDate(requested: string | undefined): string {
  const today = todayInSaoPaulo();
  const dueDate = requested ?? addDaysToDate(today, DEFAULT_RETRY_DAYS);
  if (!isCalendarDate(dueDate) || dueDate < today) {
    throw ApiError.unprocessable('invalid_due_date', `dueDate must be a calendar date from today (${today}) on`, [{ field: 'dueDate', message: 'dueDate must be today or later' }]);
  }
  return dueDate;
}
