import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiHeader, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { AccountScoped, CurrentAccount, Roles } from '../accounts/auth/decorators';
import { AccountPrincipal, READ_ROLES, WRITE_ROLES } from '../accounts/auth/principal';
import { ChargeView } from '../charges/charge.view';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';
import { ChargeCancelService } from './cancel/charge-cancel.service';
import { RefundView } from './refund.view';
import { CreateRefundDto } from './refunds.dto';
import { RefundsService } from './refunds.service';
import { ChargeRetryService } from './retry/charge-retry.service';

class RetryChargeDto {
  @ApiPropertyOptional({ example: '2026-12-05', description: 'Due date of the new attempt; default today + 3 days' })
  @IsOptional()
  @IsString()
  dueDate?: string;
}

const chargeId = () => new ParseIdPipe('Charge');

@ApiTags('refunds')
@Controller('v1/charges/:id')
@AccountScoped()
export class RefundsController {
  constructor(
    private readonly refunds: RefundsService,
    private readonly cancellation: ChargeCancelService,
    private readonly retries: ChargeRetryService,
  ) {}

  /** Admins; agents too when the account allows it (settings.agentsMayRefund). */
  @Post('refunds')
  @Roles(...WRITE_ROLES)
  @Idempotent()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  refund(@CurrentAccount() principal: AccountPrincipal, @Param('id', chargeId()) id: string, @Body() body: CreateRefundDto, @Headers('idempotency-key') idempotencyKey?: string): Promise<RefundView> {
    return this.refunds.create(principal, id, body, idempotencyKey ?? null);
  }

  @Get('refunds')
  @Roles(...READ_ROLES)
  list(@CurrentAccount() principal: AccountPrincipal, @Param('id', chargeId()) id: string): Promise<{ data: RefundView[]; nextCursor: null }> {
    return this.refunds.list(principal.accountId, id);
  }

  @Post('cancel')
  @HttpCode(200)
  @Roles(...WRITE_ROLES)
  @Idempotent()
  cancel(@CurrentAccount() principal: AccountPrincipal, @Param('id', chargeId()) id: string): Promise<ChargeView> {
    return this.cancellation.cancel(principal.accountId, id);
  }

  @Post('retry')
  @HttpCode(200)
  @Roles(...WRITE_ROLES)
  @Idempotent()
  retry(@CurrentAccount() principal: AccountPrincipal, @Param('id', chargeId()) id: string, @Body() body: RetryChargeDto): Promise<ChargeView> {
    return this.retries.retry(principal.accountId, id, body.dueDate);
  }
}
