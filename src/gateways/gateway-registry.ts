import { GatewayError, PaymentGateway, ProviderId } from './contract/payment-gateway';

/** The value behind the PAYMENT_GATEWAY token: one adapter per provider, looked up per connection. */
export class PaymentGatewayRegistry {
  private readonly adapters: Map<ProviderId, PaymentGateway>;

  constructor(adapters: PaymentGateway[]) {
    this.adapters = new Map(adapters.map((adapter) => [adapter.provider, adapter]));
  }

  get(provider: ProviderId): PaymentGateway {
    const adapter = this.adapters.get(provider);
    if (!adapter) throw new GatewayError('unexpected', provider, `no adapter registered for provider ${provider}`);
    return adapter;
  }

  providers(): ProviderId[] {
    return [...this.adapters.keys()];
  }
}
