import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RawWebhookRequest } from '../../src/gateways/contract/payment-gateway';

export interface ReceivedWebhook extends RawWebhookRequest {
  path: string;
}

/** A local endpoint that records what a simulator delivers, raw, as the service would receive it. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.record(request).then(() => response.writeHead(200).end('ok')));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  async waitFor(predicate: (webhook: ReceivedWebhook) => boolean, timeoutMs = 5000): Promise<ReceivedWebhook> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for a webhook delivery');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async record(request: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://localhost');
    this.received.push({
      path: url.pathname,
      headers: request.headers,
      query: Object.fromEntries(url.searchParams.entries()),
      rawBody: Buffer.concat(chunks),
    });
  }
}
