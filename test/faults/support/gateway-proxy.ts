import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { forward, readBody, reply, replyJson } from './http-forward';

/**
 * Where a matching request is held:
 * - `before-gateway`: the gateway has not seen it yet; if the caller disconnects meanwhile (killed), it is dropped,
 *   as a request lost on the way.
 * - `after-gateway`: the gateway executed it (the charge or refund exists); only the answer is held, and it is lost
 *   if the caller disconnects meanwhile.
 * - `refuse`: never reaches the gateway; answered `answerStatus` (default 503) at once.
 */
export type HoldPoint = 'before-gateway' | 'after-gateway' | 'refuse';

export interface HoldRule {
  method: string;
  /** Tested against the path with its query string, e.g. /v3/payments or /v1/payments/123/refunds. */
  path: RegExp;
  /** Only requests whose body contains this text (e.g. a charge's description, a payment method). */
  bodyIncludes?: string;
  at: HoldPoint;
  /** How many matching requests the rule applies to (default 1). */
  count?: number;
  /** Hold until released, or this long (default: until released or the caller is gone). */
  holdMs?: number;
  /** Answer this status instead of the gateway's (after-gateway: "it worked, but the caller was told 500"). */
  answerStatus?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  outcome: 'passed' | 'held-then-forwarded' | 'dropped-before-gateway' | 'answer-lost' | 'answered-with-fault' | 'refused' | 'gateway-unreachable';
  status: number | null;
}

interface Held {
  rule: HoldRule;
  method: string;
  path: string;
  release: () => void;
}

/**
 * A transparent HTTP proxy between the service and a gateway simulator that can hold chosen requests at a chosen
 * point, so a crash or a timeout lands exactly before or after the gateway acted.
 */
export class GatewayProxy {
  readonly log: ProxiedRequest[] = [];
  private readonly rules: Array<HoldRule & { remaining: number }> = [];
  private readonly held = new Set<Held>();
  private server: Server | null = null;
  origin = '';

  /** `upstream`: the simulator's origin, read when a request comes (the simulator may start after the proxy). */
  constructor(private readonly upstream: () => string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.releaseAll();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The simulator's base URL (origin + path prefix) as seen through the proxy. */
  via(simulatorBaseUrl: string): string {
    const url = new URL(simulatorBaseUrl);
    return `${this.origin}${url.pathname === '/' ? '' : url.pathname}`;
  }

  hold(rule: HoldRule): void {
    this.rules.push({ ...rule, remaining: rule.count ?? 1 });
  }

  heldCount(point?: HoldPoint): number {
    return [...this.held].filter((entry) => !point || entry.rule.at === point).length;
  }

  releaseAll(): void {
    for (const entry of [...this.held]) entry.release();
    this.rules.length = 0;
  }

  private takeRule(method: string, path: string, body: string): HoldRule | null {
    const rule = this.rules.find(
      (candidate) => candidate.remaining > 0 && candidate.method === method && candidate.path.test(path) && (!candidate.bodyIncludes || body.includes(candidate.bodyIncludes)),
    );
    if (!rule) return null;
    rule.remaining -= 1;
    return rule;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const body = await readBody(req);
    let callerGone = false;
    res.once('close', () => {
      if (!res.writableFinished) callerGone = true;
    });
    const rule = this.takeRule(method, path, body.toString('utf8'));
    const entry: ProxiedRequest = { method, path, outcome: 'passed', status: null };
    this.log.push(entry);
    try {
      if (rule?.at === 'refuse') {
        entry.outcome = 'refused';
        entry.status = rule.answerStatus ?? 503;
        replyJson(res, entry.status, { errors: [{ code: 'unavailable', description: 'Simulated failure; the request was not executed' }], message: 'unavailable', status: entry.status });
        return;
      }
      if (rule?.at === 'before-gateway') {
        await this.wait(rule, method, path, () => callerGone);
        if (callerGone) {
          entry.outcome = 'dropped-before-gateway';
          return;
        }
        entry.outcome = 'held-then-forwarded';
      }
      const upstream = await forward(this.upstream(), req, body);
      entry.status = upstream.status;
      if (rule?.at === 'after-gateway') {
        await this.wait(rule, method, path, () => callerGone);
        entry.outcome = callerGone ? 'answer-lost' : 'held-then-forwarded';
      }
      if (rule?.answerStatus) {
        entry.outcome = 'answered-with-fault';
        entry.status = rule.answerStatus;
        replyJson(res, rule.answerStatus, { errors: [{ code: 'internal_error', description: 'Simulated failure after the request was executed' }], message: 'internal_error', status: rule.answerStatus });
        return;
      }
      reply(res, upstream);
    } catch (error) {
      entry.outcome = 'gateway-unreachable';
      replyJson(res, 502, { errors: [{ code: 'bad_gateway', description: String(error) }] });
    }
  }

  /** Resolves when released, when holdMs elapses, or when the caller disconnects. */
  private wait(rule: HoldRule, method: string, path: string, callerGone: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearInterval(poll);
        if (timer) clearTimeout(timer);
        this.held.delete(entry);
        resolve();
      };
      const entry: Held = { rule, method, path, release: finish };
      this.held.add(entry);
      const poll = setInterval(() => callerGone() && finish(), 20);
      const timer = rule.holdMs ? setTimeout(finish, rule.holdMs) : null;
    });
  }
}
