import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChargesService } from '../../charges/charges.service';
import { ChargeView } from '../../charges/charge.view';
import { PaymentStateApplier } from '../../charges/settlement/payment-state-applier';
import { queryRows } from '../../common/database/sql';
import { GatewayError } from '../../gateways/contract/payment-gateway';
import { GatewayConnectionsService, gatewayUnavailable } from '../../gateways/connections/gateway-connections.service';
import { GatewayClient } from '../../gateways/gateway-client';

/**
 * Status sync with the gateway (Kill Bill's janitor, Hyperswitch's psync): reads every gateway payment carrying
 * the charge's reference and applies it like a webhook would. Missed webhooks are recovered this way.
 */
@Injectable()
export class ChargeSyncService {
  private readonly logger = new Logger('Reconciliation');

  constructor(
    private readonly charges: ChargesService,
    private readonly connections: GatewayConnectionsService,
    private readonly gateways: GatewayClient,
    private readonly applier: PaymentStateApplier,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async syncForAccount(accountId: string, chargeId: string): Promise<ChargeView> {
    await this.charges.require(accountId, chargeId);
    try {
      await this.sync(chargeId);
    } catch (error) {
      if (error instanceof GatewayError) throw gatewayUnavailable(error);
      throw error;
    }
    return this.charges.get(accountId, chargeId);
  }

  async sync(chargeId: string): Promise<number> {
    const [charge] = await queryRows<{ connection_id: string; retry_count: number }>(this.dataSource, `SELECT connection_id, retry_count FROM charges WHERE id = $1`, [chargeId]);
    const connection = (await this.connections.findById(charge.connection_id))!;
    const references = [chargeId, ...Array.from({ length: charge.retry_count }, (_, index) => `${chargeId}:retry:${index + 1}`)];
    const states = (await Promise.all(references.map((reference) => this.gateways.call(connection, (adapter, ctx) => adapter.listPaymentsByReference(ctx, reference))))).flat();
    for (const state of states) await this.applier.apply(connection, state, 'reconciliation');
    await this.dataSource.query(`UPDATE charges SET last_synced_at = now() WHERE id = $1`, [chargeId]);
    return states.length;
  }

  /** Open charges, or charges with a pending refund, not heard of for a while; oldest sync first. */
  async findStale(olderThanMinutes: number, limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT c.id FROM charges c JOIN gateway_connections g ON g.id = c.connection_id
       WHERE g.status <> 'invalid'
         AND (c.status IN ('awaiting_payment', 'partially_paid', 'overdue')
              OR EXISTS (SELECT 1 FROM refunds r WHERE r.charge_id = c.id AND r.status = 'pending'))
         AND coalesce(c.last_synced_at, c.updated_at) < now() - make_interval(mins => $1)
       ORDER BY coalesce(c.last_synced_at, c.updated_at) LIMIT $2`,
      [olderThanMinutes, limit],
    );
    return rows.map((row) => row.id);
  }

  async syncStale(olderThanMinutes: number, limit: number): Promise<{ synced: number; failed: number }> {
    let synced = 0;
    let failed = 0;
    for (const chargeId of await this.findStale(olderThanMinutes, limit)) {
      try {
        await this.sync(chargeId);
        synced += 1;
      } catch (error) {
        failed += 1;
        this.logger.warn({ msg: 'reconciliation failed for a charge', chargeId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { synced, failed };
  }
}
