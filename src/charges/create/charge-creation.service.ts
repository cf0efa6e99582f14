import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountPrincipal } from '../../accounts/auth/principal';
import { AccountsService } from '../../accounts/accounts.service';
import { ApiError } from '../../common/errors/api-error';
import { toMoneyString } from '../../common/money/money';
import { GatewayError } from '../../gateways/contract/payment-gateway';
import { GatewayConnection } from '../../gateways/connections/gateway-connection.entity';
import { GatewayConnectionsService, gatewayUnavailable } from '../../gateways/connections/gateway-connections.service';
import { OutboundEventsService } from '../../webhooks/outbound/outbound-events.service';
import { Charge } from '../charge.entity';
import { ChargeView, toChargeView } from '../charge.view';
import { ChargesRepository } from '../charges.repository';
import { CustomersService } from '../customers/customers.service';
import { installmentPlan, lineTotal } from '../domain/charge-totals';
import { ChargeCreditApplier } from './charge-credit.applier';
import { ChargeDraft, ChargeDraftFactory } from './charge-draft';
import { CreateChargeDto } from './create-charge.dto';
import { GatewayChargeCompleter } from './gateway-charge-completer';

/**
 * Create charge: validate and price -> save `pending` in a transaction -> create at the gateway outside the
 * transaction under a deterministic reference -> `awaiting_payment`. A retry with the same Idempotency-Key
 * resumes the same charge instead of creating another.
 */
@Injectable()
export class ChargeCreationService {
  constructor(
    private readonly charges: ChargesRepository,
    private readonly drafts: ChargeDraftFactory,
    private readonly customers: CustomersService,
    private readonly connections: GatewayConnectionsService,
    private readonly accounts: AccountsService,
    private readonly completer: GatewayChargeCompleter,
    private readonly creditApplier: ChargeCreditApplier,
    private readonly events: OutboundEventsService,
  ) {}

  async create(principal: AccountPrincipal, input: CreateChargeDto, idempotencyKey: string | null): Promise<ChargeView> {
    const resumed = idempotencyKey ? await this.charges.findByIdempotencyKey(principal.accountId, idempotencyKey) : null;
    if (resumed) return this.completeOrExplain(principal.accountId, resumed.id, false);
    const saved = await this.savePending(principal.accountId, input, idempotencyKey);
    // A charge fully covered by the customer's credit is paid without touching the gateway.
    if (saved.paidByCredit) return toChargeView((await this.charges.findInAccount(principal.accountId, saved.id))!);
    return this.completeOrExplain(principal.accountId, saved.id, true);
  }

  private async savePending(accountId: string, input: CreateChargeDto, idempotencyKey: string | null): Promise<{ id: string; paidByCredit: boolean }> {
    const connection = await this.connections.resolveForCharge(accountId, input.gatewayConnectionId);
    const draft = await this.drafts.build(accountId, input, this.connections.adapterFor(connection).capabilities);
    if (input.customer) this.customers.normalizeDocument(input.customer.cpfCnpj);
    const id = randomUUID();
    const paidByCredit = await this.charges.transaction((manager) => this.insert(manager, { id, accountId, input, draft, connection, idempotencyKey }));
    return { id, paidByCredit };
  }

  /** Saves the charge as pending and applies the customer's credit; true when the credit paid it in full. */
  private async insert(manager: EntityManager, args: { id: string; accountId: string; input: CreateChargeDto; draft: ChargeDraft; connection: GatewayConnection; idempotencyKey: string | null }): Promise<boolean> {
    const { id, accountId, input, draft, connection } = args;
    const customer = input.customer ? await this.customers.upsert(manager, accountId, input.customer) : await this.customers.requireInAccount(accountId, input.customerId!);
    const number = await this.accounts.nextChargeNumber(manager, accountId);
    await this.charges.insertPending(
      manager,
      {
        id,
        accountId,
        number,
        customerId: customer.id,
        connectionId: connection.id,
        status: 'pending',
        currency: 'BRL',
        subtotal: draft.totals.subtotal,
        discountType: draft.discount?.type ?? null,
        discountValue: draft.discount?.value ?? null,
        discountAmount: draft.totals.discountAmount,
        adjustmentAmount: draft.adjustment.amount,
        adjustmentReason: draft.adjustment.reason,
        total: draft.totals.total,
        dueDate: draft.dueDate,
        paymentMethods: draft.methods,
        installments: draft.installments,
        installmentPlan: draft.plan.map((line) => ({ number: line.number, amount: toMoneyString(line.amount), dueDate: line.dueDate })),
        description: input.description ?? null,
        source: draft.source,
        conversationId: input.conversationId ?? null,
        metadata: input.metadata ?? {},
        idempotencyKey: args.idempotencyKey,
      },
      draft.items.map((item, index) => ({ position: index + 1, productId: item.productId, description: item.description, quantity: item.quantity, unitPrice: item.unitPrice, total: lineTotal(item) })),
    );
    const credit = await this.creditApplier.apply(manager, { accountId, customerId: customer.id, chargeId: id, number, total: draft.totals.total });
    if (credit.eq(0)) return false;
    return this.recordCredit(manager, id, credit, draft);
  }

  private async recordCredit(manager: EntityManager, id: string, credit: Big, draft: ChargeDraft): Promise<boolean> {
    const remaining = draft.totals.total.minus(credit);
    const paidByCredit = remaining.eq(0);
    const plan = paidByCredit ? [] : installmentPlan(remaining, draft.installments, draft.dueDate).map((line) => ({ number: line.number, amount: toMoneyString(line.amount), dueDate: line.dueDate }));
    await this.charges.applyCredit(manager, id, credit, plan, paidByCredit);
    if (paidByCredit) {
      const charge = (await manager.getRepository(Charge).findOne({ where: { id }, relations: { items: true } }))!;
      await this.events.record(manager, { accountId: charge.accountId, type: 'charge.paid', data: { charge: { ...toChargeView(charge), pix: undefined } } });
    }
    return paidByCredit;
  }

  private async completeOrExplain(accountId: string, chargeId: string, leaseHeld: boolean): Promise<ChargeView> {
    const { outcome, error } = await this.completer.complete(chargeId, leaseHeld);
    const charge = (await this.charges.findInAccount(accountId, chargeId))!;
    if (outcome === 'failed') throw creationRefused(charge.id, error);
    if (outcome === 'retry_later' && charge.status === 'pending') throw creationDeferred(charge.id, error);
    return toChargeView(charge);
  }
}

function creationRefused(chargeId: string, error: unknown): ApiError {
  if (error instanceof GatewayError && error.kind === 'invalid_credentials') {
    return ApiError.unprocessable('gateway_connection_unusable', `The gateway rejected the connection's credentials (${error.providerMessage}); charge ${chargeId} was not created`);
  }
  const reason = error instanceof GatewayError ? error.providerMessage : 'unknown reason';
  return ApiError.unprocessable('gateway_rejected_charge', `The gateway refused to create the charge: ${reason}`, [{ field: 'chargeId', message: chargeId }]);
}

function creationDeferred(chargeId: string, error: unknown): ApiError {
  const base = error instanceof GatewayError ? gatewayUnavailable(error) : new ApiError(503, 'charge_creation_incomplete', 'The charge could not be completed now');
  const message = `${base.message}. Charge ${chargeId} is saved as pending and will be completed automatically; repeating the request with the same Idempotency-Key resumes it`;
  return new ApiError(base.getStatus(), base.code, message, [{ field: 'chargeId', message: chargeId }]);
}
