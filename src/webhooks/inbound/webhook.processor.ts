import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { Job } from 'bull';
import { PaymentStateApplier } from '../../charges/settlement/payment-state-applier';
import { QUEUES } from '../../common/queue/queues';
import { GatewayError, GatewayPaymentState } from '../../gateways/contract/payment-gateway';
import { GatewayConnection } from '../../gateways/connections/gateway-connection.entity';
import { GatewayConnectionsService } from '../../gateways/connections/gateway-connections.service';
import { GatewayClient } from '../../gateways/gateway-client';
import { InboxRow, WebhookInboxRepository } from './webhook-inbox.repository';
import { PROCESS_WEBHOOK_JOB } from './webhook-queue';

const PAYMENT_CATEGORIES = new Set(['payment', 'refund', 'chargeback']);

/** Applies stored gateway events; retried with backoff, visible as `dead` after the last attempt. */
@Processor(QUEUES.webhooks)
export class WebhookProcessor {
  private readonly logger = new Logger('WebhookProcessor');

  constructor(
    private readonly inbox: WebhookInboxRepository,
    private readonly connections: GatewayConnectionsService,
    private readonly gateways: GatewayClient,
    private readonly applier: PaymentStateApplier,
  ) {}

  // Charges are serialized by their row lock, so events of different charges can run side by side.
  @Process({ name: PROCESS_WEBHOOK_JOB, concurrency: 16 })
  async handle(job: Job<{ inboxId: string }>): Promise<string> {
    const row = await this.inbox.find(job.data.inboxId);
    if (!row || row.status === 'processed' || row.status === 'ignored') return 'already done';
    await this.inbox.markAttempt(row.id);
    try {
      return await this.process(row);
    } catch (error) {
      await this.recordFailure(row, error, job);
      throw error;
    }
  }

  private async process(row: InboxRow): Promise<string> {
    if (!PAYMENT_CATEGORIES.has(row.category) || !row.gateway_payment_id) {
      await this.inbox.markDone(row.id, 'ignored', null, `${row.category} events are recorded, not applied`);
      return 'ignored';
    }
    const connection = (await this.connections.findById(row.connection_id))!;
    const state = await this.currentState(connection, row);
    const outcome = await this.applier.apply(connection, state, 'webhook');
    if (outcome.kind === 'unknown_charge') {
      await this.inbox.markDone(row.id, 'ignored', null, 'payment not created by this module');
      return 'ignored';
    }
    await this.inbox.markDone(row.id, 'processed', outcome.chargeId);
    return `processed: ${outcome.transitions.join(', ') || 'no transition'}`;
  }

  /** Asaas bodies carry the payment (authenticated by the token); Mercado Pago bodies are pointers, so re-fetch. */
  private async currentState(connection: GatewayConnection, row: InboxRow): Promise<GatewayPaymentState> {
    const adapter = this.connections.adapterFor(connection);
    const parsed = adapter.parseWebhook({ headers: {}, query: { 'data.id': row.gateway_payment_id ?? undefined, type: 'payment' }, rawBody: Buffer.from(JSON.stringify(row.payload)) });
    if (parsed.payment) return parsed.payment;
    return this.gateways.call(connection, (gateway, ctx) => gateway.getPayment(ctx, row.gateway_payment_id!));
  }

  private async recordFailure(row: InboxRow, error: unknown, job: Job): Promise<void> {
    const permanent = error instanceof GatewayError && (error.kind === 'unknown_status' || error.kind === 'not_found');
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const message = error instanceof Error ? error.message : String(error);
    await this.inbox.markFailed(row.id, message, permanent || lastAttempt);
    if (permanent) job.discard();
    this.logger.error({ msg: permanent ? 'webhook cannot be applied; charge left as it was' : 'webhook processing failed', inboxId: row.id, attempt: job.attemptsMade + 1, error: message });
  }
}
