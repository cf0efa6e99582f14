import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../common/config/app-config';
import { APP_CONFIG } from '../common/config/config.module';
import { SecretBox } from '../common/crypto/secret-box';
import { AsaasAdapter } from './asaas/asaas.adapter';
import { GatewayConnection } from './connections/gateway-connection.entity';
import { GatewayConnectionsController } from './connections/gateway-connections.controller';
import { GatewayConnectionsRepository } from './connections/gateway-connections.repository';
import { GatewayConnectionsService } from './connections/gateway-connections.service';
import { PAYMENT_GATEWAY } from './contract/payment-gateway';
import { GatewayClient } from './gateway-client';
import { PaymentGatewayRegistry } from './gateway-registry';
import { GATEWAY_SECRET_BOX } from './gateway-tokens';
import { MercadoPagoAdapter } from './mercadopago/mercadopago.adapter';

const GATEWAY_TIMEOUT_MS = 15_000;

export function createGatewayRegistry(config: AppConfig): PaymentGatewayRegistry {
  return new PaymentGatewayRegistry([
    new AsaasAdapter({ sandboxUrl: config.asaasSandboxUrl, productionUrl: config.asaasProductionUrl, userAgent: 'ConversaLabs-Payments/1.0', timeoutMs: GATEWAY_TIMEOUT_MS }),
    new MercadoPagoAdapter({ apiUrl: config.mercadoPagoApiUrl, timeoutMs: GATEWAY_TIMEOUT_MS }),
  ]);
}

@Module({
  imports: [TypeOrmModule.forFeature([GatewayConnection])],
  controllers: [GatewayConnectionsController],
  providers: [
    { provide: PAYMENT_GATEWAY, inject: [APP_CONFIG], useFactory: createGatewayRegistry },
    { provide: GATEWAY_SECRET_BOX, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(config.credentialsEncryptionKeys) },
    GatewayConnectionsRepository,
    GatewayConnectionsService,
    GatewayClient,
  ],
  exports: [PAYMENT_GATEWAY, GatewayConnectionsService, GatewayClient],
})
export class GatewaysModule {}
