import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Account } from './account.entity';
import { AccountController, OperatorAccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { PaymentsEnabledGuard } from './auth/payments-enabled.guard';
import { RolesGuard } from './auth/roles.guard';

@Module({
  imports: [TypeOrmModule.forFeature([Account])],
  controllers: [OperatorAccountsController, AccountController],
  providers: [
    AccountsRepository,
    AccountsService,
    // Order matters: 401 before 403 (role) before 403 (module disabled) before any handler's 404.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: PaymentsEnabledGuard },
  ],
  exports: [AccountsService],
})
export class AccountsModule {}
