import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { GatewayChargeResult, GatewayError } from '../../gateways/contract/payment-gateway';
import { GatewayConnection } from '../../gateways/connections/gateway-connection.entity';
import { GatewayConnectionsService } from '../../gateways/connections/gateway-connections.service';
import { GatewayClient } from '../../gateways/gateway-client';
import { OutboundEventsService } from '../../webhooks/outbound/outbound-events.service';
import { Charge } from '../charge.entity';
import { ChargesRepository } from '../charges.repository';
import { paymentsFor, toArtifacts } from './gateway-artifacts';
import { toChargeView } from '../charge.view';
import { CustomersService, toGatewayCustomer } from '../customers/customers.service';
import { ReminderScheduler } from '../reminders/reminder-scheduler';

export type CompletionOutcome = 'completed' | 'already_done' | 'busy' | 'failed' | 'retry_later';

/**
 * Takes a charge saved as `pending` to the gateway, exactly once: under a lease, it first looks our
 * reference up at the gateway (a previous attempt may have created it before crashing or timing out),
 * creates it only if absent, then stores the artifacts and moves the charge to `awaiting_payment`.
 */
@Injectable()
export class GatewayChargeCompleter {
  private readonly logger = new Logger('ChargeCreation');

  constructor(
    private readonly charges: ChargesRepository,
    private readonly customers: CustomersService,
    private readonly connections: GatewayConnectionsService,
    private readonly gateways: GatewayClient,
    private readonly events: OutboundEventsService,
    private readonly reminders: ReminderScheduler,
  ) {}

  /** `leaseHeld`: the caller saved the charge with the lease (the creating request). */
  async complete(chargeId: string, leaseHeld = false): Promise<{ outcome: CompletionOutcome; error?: unknown }> {
    if (!leaseHeld && !(await this.charges.takeCreationLease(chargeId))) return { outcome: (await this.isStillPending(chargeId)) ? 'busy' : 'already_done' };
    const charge = (await this.charges.findById(chargeId))!;
    const connection = (await this.connections.findById(charge.connectionId))!;
    try {
      const result = await this.createOrFind(charge, connection);
      await this.store(charge, connection, result);
      await this.reminders.scheduleFor(charge.id);
      return { outcome: 'completed' };
    } catch (error) {
      return this.handleFailure(charge, error);
    }
  }

  private async createOrFind(charge: Charge, connection: GatewayConnection): Promise<GatewayChargeResult> {
    const existing = charge.creationAttempts > 1 ? await this.gateways.call(connection, (adapter, ctx) => adapter.findChargeByReference(ctx, charge.id)) : null;
    if (existing) {
      this.logger.log({ msg: 'charge found at the gateway by reference; not creating it again', chargeId: charge.id });
      return existing;
    }
    const customer = toGatewayCustomer(await this.customers.require(charge.customerId));
    const gatewayCustomerId = await this.customers.gatewayCustomerId(connection, customer);
    return this.gateways.call(connection, (adapter, ctx) =>
      adapter.createCharge(ctx, {
        reference: charge.id,
        idempotencyKey: charge.id,
        gatewayCustomerId,
        customer,
        amount: charge.total.minus(charge.creditApplied),
        dueDate: charge.dueDate,
        methods: charge.paymentMethods,
        installments: charge.installments,
        description: charge.description ?? `Cobrança #${charge.number}`,
        notificationUrl: this.connections.webhookUrl(connection.provider, connection.id),
      }),
    );
  }

  private async store(charge: Charge, connection: GatewayConnection, result: GatewayChargeResult): Promise<void> {
    const artifacts = await toArtifacts(result);
    await this.charges.transaction(async (manager) => {
      if (!(await this.charges.completeCreation(manager, charge.id, artifacts))) return;
      await this.charges.insertPayments(manager, paymentsFor(charge, connection, result));
      await this.recordAwaitingPayment(manager, charge.id);
    });
  }

  private async recordAwaitingPayment(manager: EntityManager, chargeId: string): Promise<void> {
    const charge = await manager.getRepository(Charge).findOneOrFail({ where: { id: chargeId }, relations: { items: true } });
    // Events carry the charge without the QR image: receivers can render it from the copy-and-paste code.
    const view = { ...toChargeView(charge), pix: charge.pixCopyPaste ? { copyPaste: charge.pixCopyPaste, expiresAt: charge.pixExpiresAt?.toISOString() ?? null } : undefined };
    await this.events.record(manager, { accountId: charge.accountId, type: 'charge.awaiting_payment', data: { charge: view } });
  }

  private async handleFailure(charge: Charge, error: unknown): Promise<{ outcome: CompletionOutcome; error: unknown }> {
    const message = describe(error);
    if (error instanceof GatewayError && !error.retryable) {
      await this.charges.transaction((manager) => this.charges.markFailed(manager, charge.id, message));
      this.logger.warn({ msg: 'gateway refused the charge', chargeId: charge.id, kind: error.kind, reason: error.providerMessage });
      return { outcome: 'failed', error };
    }
    await this.charges.releaseCreationLease(charge.id, message);
    this.logger.warn({ msg: 'charge left pending for recovery', chargeId: charge.id, reason: message });
    return { outcome: 'retry_later', error };
  }

  private async isStillPending(chargeId: string): Promise<boolean> {
    return (await this.charges.findById(chargeId))?.status === 'pending';
  }
}

function describe(error: unknown): string {
  if (error instanceof GatewayError) return `${error.provider} ${error.kind}: ${error.providerMessage}`;
  return error instanceof Error ? error.message : String(error);
}
