import { AsaasSimulator } from '../simulators/asaas/asaas-simulator';
import { MercadoPagoSimulator } from '../simulators/mercadopago/mercadopago-simulator';

export interface Simulators {
  asaas: AsaasSimulator;
  mercadopago: MercadoPagoSimulator;
  /** Environment that points the service's adapters at the simulators. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSimulators(): Promise<Simulators> {
  const asaas = new AsaasSimulator();
  const mercadopago = new MercadoPagoSimulator();
  await Promise.all([asaas.start(), mercadopago.start()]);
  return {
    asaas,
    mercadopago,
    env: { ASAAS_SANDBOX_URL: asaas.baseUrl, ASAAS_PRODUCTION_URL: asaas.baseUrl, MERCADOPAGO_API_URL: mercadopago.baseUrl },
    stop: async () => {
      await Promise.all([asaas.stop(), mercadopago.stop()]);
    },
  };
}
