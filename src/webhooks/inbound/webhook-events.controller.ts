import { Controller, Get, Query } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AccountScoped, CurrentAccount, Roles } from '../../accounts/auth/decorators';
import { AccountPrincipal, ADMIN_ROLES } from '../../accounts/auth/principal';
import { decodeCursor, Page, PageQueryDto, pageSize, toPage } from '../../common/http/pagination';
import { InboxRow, InboxStatus, WebhookInboxRepository } from './webhook-inbox.repository';

class ListWebhookEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['received', 'processed', 'ignored', 'failed', 'dead'] })
  @IsOptional()
  @IsIn(['received', 'processed', 'ignored', 'failed', 'dead'])
  status?: InboxStatus;
}

export interface WebhookEventView {
  id: string;
  provider: string;
  gatewayConnectionId: string;
  providerEventId: string;
  eventType: string;
  status: InboxStatus;
  attempts: number;
  lastError: string | null;
  chargeId: string | null;
  gatewayPaymentId: string | null;
  receivedAt: string;
  processedAt: string | null;
}

/** What the gateways sent and what became of it, for operators. */
@ApiTags('webhooks')
@Controller('v1/webhook-events')
@AccountScoped()
@Roles(...ADMIN_ROLES)
export class WebhookEventsController {
  constructor(private readonly inbox: WebhookInboxRepository) {}

  @Get()
  async list(@CurrentAccount() principal: AccountPrincipal, @Query() query: ListWebhookEventsQueryDto): Promise<Page<WebhookEventView>> {
    const limit = pageSize(query);
    const rows = await this.inbox.list(principal.accountId, { status: query.status, beforeSeq: decodeCursor(query.cursor), limit });
    return toPage(rows, limit, toView);
  }
}

function toView(row: InboxRow): WebhookEventView {
  return {
    id: row.id,
    provider: row.provider,
    gatewayConnectionId: row.connection_id,
    providerEventId: row.provider_event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    chargeId: row.charge_id,
    gatewayPaymentId: row.gateway_payment_id,
    receivedAt: row.received_at.toISOString(),
    processedAt: row.processed_at?.toISOString() ?? null,
  };
}
