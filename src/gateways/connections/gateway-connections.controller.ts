import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccountScoped, CurrentAccount, Roles } from '../../accounts/auth/decorators';
import { AccountPrincipal, ADMIN_ROLES } from '../../accounts/auth/principal';
import { Page } from '../../common/http/pagination';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { Idempotent } from '../../common/idempotency/idempotency.interceptor';
import { CreateGatewayConnectionDto, ListConnectionsQueryDto } from './gateway-connections.dto';
import { GatewayConnectionsService, GatewayConnectionView } from './gateway-connections.service';

const connectionId = () => new ParseIdPipe('Gateway connection');

@ApiTags('gateways')
@Controller('v1/gateway-connections')
@AccountScoped()
@Roles(...ADMIN_ROLES)
export class GatewayConnectionsController {
  constructor(private readonly connections: GatewayConnectionsService) {}

  @Post()
  @Idempotent()
  connect(@CurrentAccount() principal: AccountPrincipal, @Body() body: CreateGatewayConnectionDto): Promise<GatewayConnectionView> {
    return this.connections.connect(principal.accountId, body);
  }

  @Get()
  list(@CurrentAccount() principal: AccountPrincipal, @Query() query: ListConnectionsQueryDto): Promise<Page<GatewayConnectionView>> {
    return this.connections.list(principal.accountId, query);
  }

  @Get(':id')
  get(@CurrentAccount() principal: AccountPrincipal, @Param('id', connectionId()) id: string): Promise<GatewayConnectionView> {
    return this.connections.get(principal.accountId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  disconnect(@CurrentAccount() principal: AccountPrincipal, @Param('id', connectionId()) id: string): Promise<void> {
    return this.connections.disconnect(principal.accountId, id);
  }
}
