import { Body, Controller, Get, Param, Patch, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiError } from '../common/errors/api-error';
import { AccountView, AccountsService } from './accounts.service';
import { SetPaymentsModuleDto, UpdateAccountSettingsDto } from './accounts.dto';
import { AccountScoped, CurrentAccount, Roles } from './auth/decorators';
import { ADMIN_ROLES, AccountPrincipal, READ_ROLES } from './auth/principal';

const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

@ApiTags('operator')
@Controller('v1/operator/accounts')
export class OperatorAccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Put(':accountId/payments-module')
  @Roles('operator')
  setPaymentsModule(@Param('accountId') accountId: string, @Body() body: SetPaymentsModuleDto): Promise<AccountView> {
    if (!ACCOUNT_ID_PATTERN.test(accountId)) throw ApiError.validation([{ field: 'accountId', message: 'accountId must be 1-64 letters, digits, ".", "_", ":" or "-"' }]);
    return this.accounts.setPaymentsEnabled(accountId, body.enabled);
  }

  @Get(':accountId')
  @Roles('operator')
  get(@Param('accountId') accountId: string): Promise<AccountView> {
    return this.accounts.get(accountId);
  }
}

@ApiTags('account')
@Controller('v1/account')
@AccountScoped()
export class AccountController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @Roles(...READ_ROLES)
  get(@CurrentAccount() principal: AccountPrincipal): Promise<AccountView> {
    return this.accounts.get(principal.accountId);
  }

  @Patch('settings')
  @Roles(...ADMIN_ROLES)
  updateSettings(@CurrentAccount() principal: AccountPrincipal, @Body() body: UpdateAccountSettingsDto): Promise<AccountView> {
    return this.accounts.updateSettings(principal.accountId, body);
  }
}
