import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../../common/errors/api-error';
import { AccountsService } from '../accounts.service';
import { ACCOUNT_SCOPED } from './decorators';
import { Principal } from './principal';

/** Account-scoped routes answer 403 payments_module_disabled until an operator turns the module on. */
@Injectable()
export class PaymentsEnabledGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accounts: AccountsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.reflector.getAllAndOverride<boolean>(ACCOUNT_SCOPED, [context.getHandler(), context.getClass()])) return true;
    const principal: Principal = context.switchToHttp().getRequest().principal;
    if (!principal.accountId) throw ApiError.forbidden('account_required', 'This route acts inside an account; the token has none');
    if (!(await this.accounts.isPaymentsEnabled(principal.accountId))) {
      throw ApiError.forbidden('payments_module_disabled', 'The Payments module is disabled for this account');
    }
    return true;
  }
}
