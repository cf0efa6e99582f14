import { generateCpf } from '@brazilian-utils/brazilian-utils';
import { formatInTimeZone } from 'date-fns-tz';
import { bearer, TestApp, waitFor } from './test-app';
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

/**
 * Test helpers bound to one app and account. Every charge gets a customer of its own unless a test says
 * otherwise, so that customer credit (overpayments, refunds to credit) never leaks between tests.
 */
export function chargeHelpers(app: () => TestApp, defaultAccount: () => string) {
  const createCharge = async (overrides: Record<string, unknown> = {}, account = defaultAccount()) => {
    const customer = { name: 'Maria Souza', cpfCnpj: generateCpf(), email: 'maria@example.com' };
    const body = chargeBody({ customer, items: [{ description: 'Pedido', quantity: 1, unitPrice: 100 }], ...overrides });
    return (await app().http.post('/v1/charges').set(bearer('agent', account)).send(body).expect(201)).body;
  };
  const readCharge = async (id: string, account = defaultAccount()) => (await app().http.get(`/v1/charges/${id}`).set(bearer('viewer', account)).expect(200)).body;
  const waitForStatus = (id: string, status: string, account = defaultAccount()) => waitFor(() => readCharge(id, account), (charge) => charge.status === status);
  return { createCharge, readCharge, waitForStatus };
}
