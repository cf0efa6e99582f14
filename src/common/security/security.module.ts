import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CardDataGuard } from './card-data.guard';
import { StorableTextGuard } from './storable-text.guard';

/** Registered after the accounts guards: who you are (401/403) is answered before what you sent (422). */
@Module({
  providers: [
    { provide: APP_GUARD, useClass: CardDataGuard },
    { provide: APP_GUARD, useClass: StorableTextGuard },
  ],
})
export class SecurityModule {}
