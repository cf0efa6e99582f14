import jwt from 'jsonwebtoken';
import { DemoFailure } from './service';

export type Role = 'operator' | 'admin' | 'agent' | 'viewer';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A development JWT, as `npm run token` prints it (HS256 with AUTH_JWT_SECRET). */
export function token(secret: string, role: Role, accountId?: string): string {
  const claims = { sub: `demo-${role}`, role, ...(accountId ? { accountId } : {}) };
  return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: 3600 });
}

/** A small JSON client for the service that says what it calls and fails with the API's own error body. */
export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly secret: string,
    private readonly accountId: string,
  ) {}

  get<T = any>(path: string, role: Role, expected: number[] = [200]): Promise<ApiResponse<T>> {
    return this.call<T>('GET', path, role, undefined, {}, expected);
  }

  post<T = any>(path: string, role: Role, body: unknown, headers: Record<string, string> = {}, expected: number[] = [200, 201]): Promise<ApiResponse<T>> {
    return this.call<T>('POST', path, role, body, headers, expected);
  }

  put<T = any>(path: string, role: Role, body: unknown, expected: number[] = [200]): Promise<ApiResponse<T>> {
    return this.call<T>('PUT', path, role, body, {}, expected);
  }

  /** Every page of a list endpoint ({data, nextCursor}). */
  async all<T = any>(path: string, role: Role): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page: ApiResponse<{ data: T[]; nextCursor: string | null }> = await this.get(`${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, role);
      items.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  }

  private async call<T>(method: string, path: string, role: Role, body: unknown, headers: Record<string, string>, expected: number[]): Promise<ApiResponse<T>> {
    const bearer = token(this.secret, role, role === 'operator' ? undefined : this.accountId);
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error);
      throw new DemoFailure(`${method} ${path} did not get an answer (${reason})`);
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : null;
    if (!expected.includes(response.status)) {
      throw new DemoFailure(`${method} ${path} answered ${response.status}, expected ${expected.join(' or ')}`, [typeof parsed === 'string' ? parsed : JSON.stringify(parsed)]);
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
