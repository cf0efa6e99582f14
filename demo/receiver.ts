import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A message the service posted into a conversation (POST /conversations/{id}/messages). */
export interface ReceivedMessage {
  conversationId: string;
  authorized: boolean;
  body: {
    text: string;
    attachments: Array<{ type: string; mimeType: string; base64: string }>;
    buttons: Array<{ label: string; url: string }>;
    metadata: { chargeId?: string };
  };
}

/** An event the service POSTed to PLATFORM_EVENTS_URL, with the outcome of the signature check. */
export interface ReceivedEvent {
  id: string;
  type: string;
  accountId: string;
  createdAt: string;
  data: Record<string, any>;
  signatureValid: boolean;
  signatureProblem: string | null;
}

const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The tiny stand-in for the conversation platform: one HTTP server on 127.0.0.1 that takes both the
 * messaging API calls and the outbound events, and verifies the events the way the platform must:
 * `X-Payments-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * A bad signature is answered 401 (so the service would retry) and recorded as such.
 */
export class DemoPlatformReceiver {
  readonly messages: ReceivedMessage[] = [];
  readonly events: ReceivedEvent[] = [];
  private readonly seenEventIds = new Set<string>();
  private server: Server | null = null;
  private origin = '';

  constructor(
    private readonly eventsSecret: string,
    private readonly conversationToken: string,
  ) {}

  get url(): string {
    return this.origin;
  }

  get eventsUrl(): string {
    return `${this.origin}/events`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves with the first event matching, or rejects after timeoutMs. */
  async waitForEvent(description: string, match: (event: ReceivedEvent) => boolean, timeoutMs = 20_000): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = this.events.map((event) => event.type).join(', ') || 'none';
        throw new Error(`no ${description} event reached the receiver within ${timeoutMs / 1000} s (received so far: ${seen})`);
      }
      await sleep(100);
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    try {
      const conversation = /^\/conversations\/([^/]+)\/messages$/.exec(path);
      if (request.method === 'POST' && conversation) return this.onMessage(decodeURIComponent(conversation[1]), request, rawBody, response);
      if (request.method === 'POST' && path === '/events') return this.onEvent(request, rawBody, response);
      reply(response, 404, { error: 'not_found' });
    } catch (error) {
      reply(response, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private onMessage(conversationId: string, request: IncomingMessage, rawBody: string, response: ServerResponse): void {
    const authorized = request.headers.authorization === `Bearer ${this.conversationToken}`;
    if (!authorized) return reply(response, 401, { error: 'invalid_token' });
    this.messages.push({ conversationId, authorized, body: JSON.parse(rawBody) });
    reply(response, 201, { id: `msg_${this.messages.length}` });
  }

  private onEvent(request: IncomingMessage, rawBody: string, response: ServerResponse): void {
    const problem = verifySignature(this.eventsSecret, header(request, 'x-payments-signature'), rawBody);
    const payload = JSON.parse(rawBody) as Omit<ReceivedEvent, 'signatureValid' | 'signatureProblem'>;
    // At-least-once delivery: the id de-duplicates redeliveries.
    if (problem === null && this.seenEventIds.has(payload.id)) return reply(response, 200, { duplicate: true });
    this.events.push({ ...payload, signatureValid: problem === null, signatureProblem: problem });
    if (problem !== null) return reply(response, 401, { error: 'invalid_signature', reason: problem });
    this.seenEventIds.add(payload.id);
    reply(response, 200, { received: true });
  }
}

/** Returns null when the signature is valid, else why not. */
export function verifySignature(secret: string, headerValue: string | undefined, rawBody: string, nowSeconds = Math.floor(Date.now() / 1000)): string | null {
  if (!headerValue) return 'missing X-Payments-Signature header';
  const parts = Object.fromEntries(headerValue.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return 'malformed X-Payments-Signature header';
  if (Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return 'timestamp outside the 5-minute tolerance';
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'HMAC does not match';
  return null;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
