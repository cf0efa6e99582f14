import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { AccountScoped, CurrentAccount, Roles } from '../accounts/auth/decorators';
import { AccountPrincipal, READ_ROLES, WRITE_ROLES } from '../accounts/auth/principal';
import { Page } from '../common/http/pagination';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';
import { ChargeView } from './charge.view';
import { ListChargesQueryDto, SendChargeDto } from './charges.dto';
import { ChargesService } from './charges.service';
import { ChargeCreationService } from './create/charge-creation.service';
import { CreateChargeDto } from './create/create-charge.dto';
import { ChargeSenderService, SentMessageView } from './send/charge-sender.service';

const chargeId = () => new ParseIdPipe('Charge');

@ApiTags('charges')
@Controller('v1/charges')
@AccountScoped()
export class ChargesController {
  constructor(
    private readonly creation: ChargeCreationService,
    private readonly charges: ChargesService,
    private readonly sender: ChargeSenderService,
  ) {}

  @Post()
  @Roles(...WRITE_ROLES)
  @Idempotent()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key and body replays the first response' })
  create(@CurrentAccount() principal: AccountPrincipal, @Body() body: CreateChargeDto, @Headers('idempotency-key') idempotencyKey?: string): Promise<ChargeView> {
    return this.creation.create(principal, body, idempotencyKey ?? null);
  }

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentAccount() principal: AccountPrincipal, @Query() query: ListChargesQueryDto): Promise<Page<ChargeView>> {
    return this.charges.list(principal.accountId, query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentAccount() principal: AccountPrincipal, @Param('id', chargeId()) id: string): Promise<ChargeView> {
    return this.charges.get(principal.accountId, id);
  }

  @Post(':id/send')
  @HttpCode(200)
  @Roles(...WRITE_ROLES)
  @Idempotent()
  send(@CurrentAccount() principal: AccountPrincipal, @Param('id', chargeId()) id: string, @Body() body: SendChargeDto): Promise<SentMessageView> {
    return this.sender.send(principal.accountId, id, body.conversationId);
  }
}
