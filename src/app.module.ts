import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module';
import { AppConfig } from './common/config/app-config';
import { ConfigModule } from './common/config/config.module';
import { dataSourceOptions } from './common/database/data-source-options';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { RequestLoggingMiddleware } from './common/logging/request-logging.middleware';
import { QueueModule } from './common/queue/queue.module';
import { SecurityModule } from './common/security/security.module';
import { CatalogModule } from './charges/catalog/catalog.module';
import { ChargesModule } from './charges/charges.module';
import { GatewaysModule } from './gateways/gateways.module';
import { HealthModule } from './health/health.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { LedgersModule } from './refunds/ledger/ledgers.module';
import { RefundsModule } from './refunds/refunds.module';
import { OutboundEventsModule } from './webhooks/outbound/outbound-events.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule implements NestModule {
  /** `databaseUrl` is resolved by the bootstrap (DATABASE_URL or the embedded PostgreSQL). */
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    const runsWorkers = config.processRole !== 'api';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({ ...dataSourceOptions(databaseUrl), autoLoadEntities: true }),
        QueueModule.forRoot(runsWorkers),
        IdempotencyModule,
        AccountsModule,
        SecurityModule,
        HealthModule,
        CatalogModule,
        OutboundEventsModule.forRoot(runsWorkers),
        GatewaysModule,
        LedgersModule,
        ChargesModule.forRoot(runsWorkers),
        WebhooksModule.forRoot(runsWorkers),
        RefundsModule.forRoot(runsWorkers),
        MaintenanceModule.forRoot(runsWorkers),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLoggingMiddleware).forRoutes('*path');
  }
}
