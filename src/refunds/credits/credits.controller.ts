import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { AccountScoped, CurrentAccount, Roles } from '../../accounts/auth/decorators';
import { AccountPrincipal, ADMIN_ROLES, READ_ROLES } from '../../accounts/auth/principal';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { Idempotent } from '../../common/idempotency/idempotency.interceptor';
import { IsMoneyInput } from '../../common/money/money.dto';
import { CustomerCreditsService, CustomerCreditsView } from './customer-credits.service';

class CreditAdjustmentDto {
  @ApiProperty({ example: 10.0, description: 'Positive adds credit, negative removes it (never below zero)' })
  @IsMoneyInput()
  amount: number | string;

  @ApiProperty({ example: 'goodwill for the late delivery' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}

const customerId = () => new ParseIdPipe('Customer');

@ApiTags('credits')
@Controller('v1/customers/:customerId/credits')
@AccountScoped()
export class CreditsController {
  constructor(private readonly credits: CustomerCreditsService) {}

  @Get()
  @Roles(...READ_ROLES)
  get(@CurrentAccount() principal: AccountPrincipal, @Param('customerId', customerId()) id: string): Promise<CustomerCreditsView> {
    return this.credits.view(principal.accountId, id);
  }

  @Post()
  @Roles(...ADMIN_ROLES)
  @Idempotent()
  adjust(@CurrentAccount() principal: AccountPrincipal, @Param('customerId', customerId()) id: string, @Body() body: CreditAdjustmentDto): Promise<CustomerCreditsView> {
    return this.credits.adjust(principal.accountId, id, principal.userId, body);
  }
}
