import { Agent, IncomingHttpHeaders, IncomingMessage, request, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createNetServer } from 'node:net';

export interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

// No keep-alive towards upstreams: a killed service must not leave pooled sockets behind.
const agent = new Agent({ keepAlive: false });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'upgrade', 'proxy-connection']);

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Sends the request to `origin` (http://host:port) and buffers the answer; rejects on network errors. */
export function forward(origin: string, req: IncomingMessage, body: Buffer, timeoutMs = 120_000): Promise<Upstream> {
  const target = new URL(req.url ?? '/', origin);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const outgoing = request(target, { method: req.method, headers, agent, timeout: timeoutMs }, (response) => {
      readBody(response).then((answer) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: answer }), reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('upstream timeout')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export function reply(res: ServerResponse, upstream: Upstream): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  headers['content-length'] = String(upstream.body.length);
  res.writeHead(upstream.status, headers).end(upstream.body);
}

export function replyJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(payload.length) }).end(payload);
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
