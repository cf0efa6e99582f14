import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccountScoped, CurrentAccount, Roles } from '../../accounts/auth/decorators';
import { AccountPrincipal, ADMIN_ROLES } from '../../accounts/auth/principal';
import { Page } from '../../common/http/pagination';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { OutboundEventDetailView, OutboundEventView } from './outbound-event.view';
import { OutboundEventsAdminService } from './outbound-events-admin.service';
import { ListOutboundEventsQueryDto } from './outbound-events.dto';

const eventId = () => new ParseIdPipe('Event');

@ApiTags('events')
@Controller('v1/events')
@AccountScoped()
@Roles(...ADMIN_ROLES)
export class OutboundEventsController {
  constructor(private readonly events: OutboundEventsAdminService) {}

  @Get()
  list(@CurrentAccount() principal: AccountPrincipal, @Query() query: ListOutboundEventsQueryDto): Promise<Page<OutboundEventView>> {
    return this.events.list(principal.accountId, query);
  }

  @Get(':id')
  get(@CurrentAccount() principal: AccountPrincipal, @Param('id', eventId()) id: string): Promise<OutboundEventDetailView> {
    return this.events.get(principal.accountId, id);
  }

  /** 202: the event is queued; it goes out within moments. */
  @Post(':id/redeliver')
  @HttpCode(202)
  redeliver(@CurrentAccount() principal: AccountPrincipal, @Param('id', eventId()) id: string): Promise<OutboundEventView> {
    return this.events.redeliver(principal.accountId, id);
  }
}
