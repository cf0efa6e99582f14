import { Injectable } from '@nestjs/common';
import { GatewayContext, GatewayError, PaymentGateway } from './contract/payment-gateway';
import { GatewayConnection } from './connections/gateway-connection.entity';
import { GatewayConnectionsService } from './connections/gateway-connections.service';

/**
 * The facade other modules call the gateway through: resolves the adapter and decrypted context for a
 * connection, and turns a later 401 into an invalid connection (and one gateway_connection.invalid event).
 */
@Injectable()
export class GatewayClient {
  constructor(private readonly connections: GatewayConnectionsService) {}

  async call<T>(connection: GatewayConnection, operation: (adapter: PaymentGateway, ctx: GatewayContext) => Promise<T>): Promise<T> {
    try {
      return await operation(this.connections.adapterFor(connection), this.connections.contextFor(connection));
    } catch (error) {
      if (error instanceof GatewayError && error.kind === 'invalid_credentials') {
        await this.connections.markInvalid(connection, error.providerMessage);
      }
      throw error;
    }
  }

  adapterFor(connection: GatewayConnection): PaymentGateway {
    return this.connections.adapterFor(connection);
  }

  contextFor(connection: GatewayConnection): GatewayContext {
    return this.connections.contextFor(connection);
  }
}
