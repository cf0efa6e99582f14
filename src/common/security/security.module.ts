import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CardDataGuard } from './card-data.guard';

/** Registered after the accounts guards: who you are (401/403) is answered before what you sent (422). */
@Module({ providers: [{ provide: APP_GUARD, useClass: CardDataGuard }] })
export class SecurityModule {}
