import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { forward, readBody, reply, replyJson } from './http-forward';

/**
 * Round-robin in front of the service instances, like the load balancer of the scale-out design: the gateways'
 * webhooks and the tests' API calls go to one stable URL whatever instance is up. An instance that refuses the
 * connection (down, restarting) is skipped; when none answers, 502 as a real balancer would. A request cut by a
 * crash mid-way is not retried (it may have had effects): the caller gets 502.
 */
export class LoadBalancer {
  private server: Server | null = null;
  private next = 0;
  url = '';

  constructor(private readonly backends: string[]) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    for (let tried = 0; tried < this.backends.length; tried += 1) {
      const backend = this.backends[this.next % this.backends.length];
      this.next += 1;
      try {
        reply(res, await forward(backend, req, body));
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ECONNREFUSED') {
          replyJson(res, 502, { error: { code: 'bad_gateway', message: `instance ${backend} failed mid-request: ${code ?? String(error)}` } });
          return;
        }
      }
    }
    replyJson(res, 502, { error: { code: 'no_healthy_instance', message: 'no service instance is accepting connections' } });
  }
}
