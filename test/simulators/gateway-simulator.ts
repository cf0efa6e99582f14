import { GatewayCredentials, ProviderId } from '../../src/gateways/contract/payment-gateway';

/**
 * A local HTTP server speaking one gateway's real API (shapes from ../shared/reference), used by tests,
 * benchmarks and the demo. Control operations are also exposed over HTTP under `/_sim/...` so that other
 * processes (the demo, fault tests) can drive it.
 */
export interface GatewaySimulator {
  readonly provider: ProviderId;
  /** Base URL to configure in the service (ASAAS_SANDBOX_URL or MERCADOPAGO_API_URL), valid after start(). */
  readonly baseUrl: string;
  start(port?: number): Promise<void>;
  stop(): Promise<void>;

  /** Creates a gateway account and returns credentials the real adapter can use. */
  createAccount(options?: { name?: string }): SimulatedAccount;
  /** Adds latency (ms) to every API call. */
  setLatency(ms: number): void;
  /** The next `count` API calls (optionally only those whose path matches) answer `status` with the provider's error shape. */
  failNext(count: number, status: number, pathPattern?: RegExp): void;

  /** Customer pays a gateway payment (default: its full value); the gateway's webhook is fired. */
  pay(gatewayPaymentId: string, options?: { amount?: string; method?: 'pix' | 'boleto' | 'card' }): Promise<void>;
  /** The payment passes its due date unpaid (status overdue/expired; webhook fired where the gateway sends one). */
  expire(gatewayPaymentId: string): Promise<void>;
  /** A refund made in the gateway's own panel (not through the API); webhook fired. */
  refundInPanel(gatewayPaymentId: string, amount?: string): Promise<void>;
  /** A chargeback opened by the card holder; webhook fired. */
  chargeback(gatewayPaymentId: string): Promise<void>;

  /** Inspection for assertions. */
  payments(): SimulatedPayment[];
  /** Every API request received, newest last. */
  requests(): SimulatedRequest[];
  /** Webhook deliveries attempted by the simulator. */
  deliveries(): SimulatedDelivery[];
  /** When false, webhooks are recorded but not sent (for "missed webhook" tests). */
  setWebhookDelivery(enabled: boolean): void;
  reset(): void;
}

export interface SimulatedAccount {
  id: string;
  credentials: GatewayCredentials;
}

export interface SimulatedPayment {
  id: string;
  accountId: string;
  externalReference: string | null;
  /** The provider's own status string. */
  status: string;
  method: string;
  /** Major units as a string. */
  value: string;
  amountPaid: string | null;
  amountRefunded: string;
}

export interface SimulatedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface SimulatedDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
  status: number | null;
}
