import { Injectable, Logger } from '@nestjs/common';
import { Charge } from '../../charges/charge.entity';
import { ChargeView } from '../../charges/charge.view';
import { ChargesService } from '../../charges/charges.service';
import { ChargeLedgerService } from '../../charges/settlement/charge-ledger.service';
import { ApiError } from '../../common/errors/api-error';
import { GatewayError } from '../../gateways/contract/payment-gateway';
import { GatewayConnectionsService, gatewayUnavailable } from '../../gateways/connections/gateway-connections.service';
import { GatewayClient } from '../../gateways/gateway-client';

const CANCELABLE = new Set(['awaiting_payment', 'overdue', 'failed']);

/**
 * Cancel only while nothing was paid: first at the gateway (Asaas DELETE, Mercado Pago cancelled, preference
 * expired), then here under the row lock. A payment that still races in afterwards becomes customer credit
 * (the already-paid rule) and is flagged with a charge.payment_credited event.
 */
@Injectable()
export class ChargeCancelService {
  private readonly logger = new Logger('ChargeCancel');

  constructor(
    private readonly charges: ChargesService,
    private readonly ledger: ChargeLedgerService,
    private readonly connections: GatewayConnectionsService,
    private readonly gateways: GatewayClient,
  ) {}

  async cancel(accountId: string, chargeId: string): Promise<ChargeView> {
    const charge = await this.charges.require(accountId, chargeId);
    assertCancelable(charge);
    if (charge.gatewayObjects.length > 0) await this.cancelAtGateway(charge);
    await this.ledger.withLockedCharge(charge.id, async (manager, locked, effects) => {
      if (locked.amountPaid.gt(0)) return;
      if (!this.ledger.transition(locked, 'canceled', effects)) return;
      const payments = (await this.ledger.paymentsOf(manager, locked.id)).filter((payment) => payment.status === 'pending' || payment.status === 'processing');
      payments.forEach((payment) => (payment.status = 'canceled'));
      await this.ledger.savePayments(manager, payments);
    });
    return this.charges.get(accountId, chargeId);
  }

  private async cancelAtGateway(charge: Charge): Promise<void> {
    const connection = (await this.connections.findById(charge.connectionId))!;
    try {
      await this.gateways.call(connection, (adapter, ctx) => adapter.cancelCharge(ctx, charge.gatewayObjects));
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      this.logger.warn({ msg: 'gateway refused to cancel', chargeId: charge.id, reason: error.providerMessage });
      if (error.retryable) throw gatewayUnavailable(error);
      throw ApiError.conflict('charge_not_cancelable', `The gateway refused to cancel the charge: ${error.providerMessage}`);
    }
  }
}

function assertCancelable(charge: Charge): void {
  if (charge.amountPaid.gt(0)) throw ApiError.conflict('charge_not_cancelable', 'Something was already paid on this charge; refund it instead');
  if (charge.status === 'pending') throw ApiError.conflict('charge_not_ready', 'The charge is still being created at the gateway; try again in a minute');
  if (!CANCELABLE.has(charge.status)) throw ApiError.conflict('charge_not_cancelable', `A ${charge.status} charge cannot be canceled`);
}
