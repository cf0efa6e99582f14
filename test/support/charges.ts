import { formatInTimeZone } from 'date-fns-tz';
import { bearer, TestApp } from './test-app';
import { Simulators } from './simulators';

export const VALID_CPF = '24971563792';
export const VALID_CNPJ = '11222333000181';

export function daysFromToday(days: number): string {
  return formatInTimeZone(new Date(Date.now() + days * 86_400_000), 'America/Sao_Paulo', 'yyyy-MM-dd');
}

export function chargeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customer: { name: 'Maria Souza', cpfCnpj: VALID_CPF, email: 'maria@example.com', phone: '47998781877' },
    items: [{ description: 'Consulta', quantity: 1, unitPrice: 150.0 }],
    dueDate: daysFromToday(7),
    paymentMethods: ['pix'],
    ...overrides,
  };
}

/** Connects a simulated gateway account to the account through the real API; returns the connection id. */
export async function connectGateway(t: TestApp, sims: Simulators, accountId: string, provider: 'asaas' | 'mercadopago' = 'asaas'): Promise<string> {
  const credentials = provider === 'asaas' ? sims.asaas.createAccount().credentials : sims.mercadopago.createAccount().credentials;
  const response = await t.http.post('/v1/gateway-connections').set(bearer('admin', accountId)).send({ provider, environment: 'sandbox', credentials });
  if (response.status !== 201) throw new Error(`connecting ${provider} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.id;
}
