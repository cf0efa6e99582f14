import { Injectable } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';
import { decodeCursor, Page, pageSize, toPage } from '../../common/http/pagination';
import { OutboundDispatcher } from './outbound-dispatcher';
import { ListOutboundEventsQueryDto } from './outbound-events.dto';
import { OutboundEventsRepository } from './outbound-events.repository';
import { OutboundEventDetailView, OutboundEventView, toDeliveryView, toOutboundEventView } from './outbound-event.view';
import { PlatformEventsClient } from './platform-events.client';

/** What an account's admin sees of its outbound events, and redelivery. */
@Injectable()
export class OutboundEventsAdminService {
  constructor(
    private readonly events: OutboundEventsRepository,
    private readonly dispatcher: OutboundDispatcher,
    private readonly platform: PlatformEventsClient,
  ) {}

  async list(accountId: string, query: ListOutboundEventsQueryDto): Promise<Page<OutboundEventView>> {
    const limit = pageSize(query);
    const rows = await this.events.list(accountId, { types: query.type, statuses: query.status, beforeSeq: decodeCursor(query.cursor), limit });
    return toPage(rows, limit, toOutboundEventView);
  }

  async get(accountId: string, id: string): Promise<OutboundEventDetailView> {
    const event = await this.events.findInAccount(accountId, id);
    if (!event) throw ApiError.notFound('Event');
    const deliveries = await this.events.findDeliveries(id);
    return { ...toOutboundEventView(event), deliveries: deliveries.map(toDeliveryView) };
  }

  /** Sends the event again from a fresh retry schedule, whatever its status. */
  async redeliver(accountId: string, id: string): Promise<OutboundEventView> {
    if (!this.platform.isConfigured) {
      throw new ApiError(503, 'platform_events_not_configured', 'Delivering events needs PLATFORM_EVENTS_URL and PLATFORM_EVENTS_SECRET');
    }
    const event = await this.events.requeue(accountId, id);
    if (!event) throw ApiError.notFound('Event');
    this.dispatcher.kick();
    return toOutboundEventView(event);
  }
}
