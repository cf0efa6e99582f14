import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  body: any;
}

/**
 * A stand-in for the conversation platform (messaging API and events endpoint): records every request and
 * answers with the next status from a script (default 200 with an id).
 */
export class PlatformReceiver {
  readonly received: ReceivedRequest[] = [];
  private statuses: number[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next requests answer these statuses, in order; afterwards 200. */
  respondWith(...statuses: number[]): void {
    this.statuses.push(...statuses);
  }

  reset(): void {
    this.received.length = 0;
    this.statuses = [];
  }

  private async handle(request: IncomingMessage, response: import('node:http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    this.received.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, rawBody, body: rawBody ? JSON.parse(rawBody) : null });
    const status = this.statuses.shift() ?? 200;
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(status < 300 ? { id: `msg_${this.received.length}` } : { error: 'unavailable' }));
  }
}
