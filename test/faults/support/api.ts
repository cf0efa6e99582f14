import { generateCpf } from '@brazilian-utils/brazilian-utils';
import jwt from 'jsonwebtoken';

export type Role = 'operator' | 'admin' | 'agent' | 'viewer';

export interface ApiResponse {
  /** 0 when no HTTP answer came back (connection refused or reset, timeout). */
  status: number;
  body: any;
  error?: string;
}

/** A development JWT as the platform signs it (same claims as test/support/test-app.ts). */
export function bearer(role: Role, accountId?: string): string {
  const claims = { sub: `user-${role}`, role, ...(accountId ? { accountId } : {}) };
  return `Bearer ${jwt.sign(claims, process.env.AUTH_JWT_SECRET!, { algorithm: 'HS256', expiresIn: 3600 })}`;
}

/** One HTTP call to the service; never throws: a network failure is status 0. */
export async function api(baseUrl: string, method: string, path: string, options: { auth?: string; body?: unknown; idempotencyKey?: string; timeoutMs?: number } = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.auth) headers.authorization = options.auth;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { status: 0, body: null, error: [error instanceof Error ? error.message : String(error), cause].filter(Boolean).join(': ') };
  }
}

/** YYYY-MM-DD in America/Sao_Paulo, `days` from today. */
export function dueDateIn(days: number): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'America/Sao_Paulo' }).format(new Date(Date.now() + days * 86_400_000));
}

export function chargeBody(options: { amount?: number; methods?: string[] } = {}): Record<string, unknown> {
  return {
    // A customer of its own per charge: credit from one charge must not pay another.
    customer: { name: 'Maria Souza', cpfCnpj: generateCpf(), email: 'maria@example.com' },
    items: [{ description: 'Pedido', quantity: 1, unitPrice: options.amount ?? 100 }],
    dueDate: dueDateIn(7),
    paymentMethods: options.methods ?? ['pix'],
  };
}
