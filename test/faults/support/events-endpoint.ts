import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { readBody } from './http-forward';

export interface EventAttempt {
  id: string;
  type: string;
  accountId: string;
  status: number;
  signatureValid: boolean;
  at: number;
}

/**
 * The platform's events endpoint (PLATFORM_EVENTS_URL): verifies the HMAC signature, records every attempt with
 * the status it answered, and can be made to fail (a status) or to be down (connection refused) for a while.
 * Like a real receiver it would de-duplicate by event id; the tests count 2xx answers per id instead.
 */
export class EventsEndpoint {
  readonly attempts: EventAttempt[] = [];
  private server: Server | null = null;
  private failing: number | null = null;
  private port = 0;

  constructor(readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/events`;
  }

  async start(): Promise<void> {
    await this.listen(this.port);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every attempt answers `status` until `recover()`. */
  failWith(status: number): void {
    this.failing = status;
  }

  /** Stops listening: deliveries get connection refused until `recover()`. */
  async goDown(): Promise<void> {
    await this.stop();
  }

  async recover(): Promise<void> {
    this.failing = null;
    if (!this.server) await this.listen(this.port);
  }

  /** Event id -> number of attempts answered 2xx. */
  acceptedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const attempt of this.attempts) if (attempt.status < 300) counts.set(attempt.id, (counts.get(attempt.id) ?? 0) + 1);
    return counts;
  }

  failedAttempts(): number {
    return this.attempts.filter((attempt) => attempt.status >= 300).length;
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 500;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    let event: { id?: string; type?: string; accountId?: string } = {};
    try {
      event = JSON.parse(raw);
    } catch {
      // recorded below with an empty id
    }
    const signatureValid = this.verify(req.headers['x-payments-signature'], raw);
    const status = this.failing ?? (signatureValid ? 200 : 401);
    this.attempts.push({ id: event.id ?? '', type: event.type ?? '', accountId: event.accountId ?? '', status, signatureValid, at: Date.now() });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status < 300 ? { received: true } : { error: 'unavailable' }));
  }

  private verify(header: string | string[] | undefined, raw: string): boolean {
    const match = typeof header === 'string' ? header.match(/^t=(\d+),v1=([0-9a-f]{64})$/) : null;
    if (!match) return false;
    const expected = createHmac('sha256', this.secret).update(`${match[1]}.${raw}`).digest();
    return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
  }
}
