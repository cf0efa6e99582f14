import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccountScoped, CurrentAccount, Roles } from '../../accounts/auth/decorators';
import { AccountPrincipal, ADMIN_ROLES } from '../../accounts/auth/principal';
import { ChargeView } from '../../charges/charge.view';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { ChargeSyncService } from './charge-sync.service';

@ApiTags('charges')
@Controller('v1/charges')
@AccountScoped()
export class ChargeSyncController {
  constructor(private readonly sync: ChargeSyncService) {}

  /** Reconciles one charge with its gateway now. */
  @Post(':id/sync')
  @HttpCode(200)
  @Roles(...ADMIN_ROLES)
  syncNow(@CurrentAccount() principal: AccountPrincipal, @Param('id', new ParseIdPipe('Charge')) id: string): Promise<ChargeView> {
    return this.sync.syncForAccount(principal.accountId, id);
  }
}
