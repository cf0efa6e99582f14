import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bull';
import { ApiError } from '../../common/errors/api-error';
import { isUuid } from '../../common/http/parse-id.pipe';
import { QUEUES } from '../../common/queue/queues';
import { ParsedWebhookEvent, PaymentGateway, ProviderId, RawWebhookRequest } from '../../gateways/contract/payment-gateway';
import { GatewayConnectionsService } from '../../gateways/connections/gateway-connections.service';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { enqueueWebhookProcessing } from './webhook-queue';

export interface IngestionResult {
  received: true;
  duplicate: boolean;
}

/**
 * The webhook route only verifies, stores and enqueues: authenticity on the raw request, then the inbox insert
 * (the duplicate check), then a job. Once stored, the event is acknowledged even if Redis is briefly down:
 * a sweeper re-enqueues stored events that were never processed.
 */
@Injectable()
export class WebhookIngestionService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly connections: GatewayConnectionsService,
    private readonly inbox: WebhookInboxRepository,
    @InjectQueue(QUEUES.webhooks) private readonly queue: Queue,
  ) {}

  async ingest(provider: ProviderId, connectionId: string, request: RawWebhookRequest): Promise<IngestionResult> {
    const connection = isUuid(connectionId) ? await this.connections.findById(connectionId) : null;
    if (!connection || connection.provider !== provider) throw ApiError.notFound('Webhook endpoint');
    const adapter = this.connections.adapterFor(connection);
    if (!adapter.verifyWebhook(this.connections.contextFor(connection), request)) {
      this.logger.warn({ msg: 'webhook failed authentication', provider, connectionId });
      throw ApiError.unauthorized('The webhook could not be authenticated');
    }
    const event = parseEvent(adapter, request);
    const inboxId = await this.inbox.insert({ connectionId, accountId: connection.accountId, provider, event, payload: parseJson(request.rawBody) });
    if (!inboxId) return { received: true, duplicate: true };
    await this.enqueue(inboxId);
    return { received: true, duplicate: false };
  }

  private async enqueue(inboxId: string): Promise<void> {
    try {
      await withTimeout(enqueueWebhookProcessing(this.queue, inboxId), 2000);
    } catch (error) {
      this.logger.warn({ msg: 'webhook stored but not enqueued; the sweeper will pick it up', inboxId, reason: error instanceof Error ? error.message : String(error) });
    }
  }
}

function parseEvent(adapter: PaymentGateway, request: RawWebhookRequest): ParsedWebhookEvent {
  try {
    return withTextIdentifiers(adapter.parseWebhook(request));
  } catch (error) {
    throw ApiError.validation([{ field: 'body', message: `not a ${adapter.provider} notification: ${error instanceof Error ? error.message : 'unreadable'}` }], 'The webhook body could not be read');
  }
}

/** Gateways' ids are opaque: a number is taken as its text, anything else is not an id we can key on. */
function withTextIdentifiers(event: ParsedWebhookEvent): ParsedWebhookEvent {
  const providerEventId = asText(event.providerEventId);
  if (!providerEventId) throw new Error('the event has no usable id');
  return { ...event, providerEventId, eventType: asText(event.eventType) ?? 'unknown', gatewayPaymentId: asText(event.gatewayPaymentId), externalReference: asText(event.externalReference) };
}

function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return { raw: raw.toString('utf8').slice(0, 10_000) };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}
