import { expectStatus } from './http';
import { BenchContext } from './scenario';
import { randomUUID } from 'node:crypto';

/** A new account with the Payments module turned on by an operator. */
export async function enabledAccount(ctx: BenchContext): Promise<string> {
  const accountId = `bench_${randomUUID().slice(0, 12)}`;
  const reply = await ctx.http('PUT', `/v1/operator/accounts/${accountId}/payments-module`, { token: ctx.tokens.operator(), body: { enabled: true } });
  expectStatus(reply, 200, 'turning the Payments module on');
  return accountId;
}

/** Connects the account to a fresh simulated Asaas account; returns the connection id. */
export async function connectAsaas(ctx: BenchContext, accountId: string): Promise<string> {
  const gatewayAccount = ctx.sims.asaas.createAccount({ name: 'Loja Bench' });
  const reply = await ctx.http('POST', '/v1/gateway-connections', {
    token: ctx.tokens.forAccount(accountId, 'admin'),
    headers: { 'idempotency-key': `bench-connect-${accountId}` },
    body: { provider: 'asaas', environment: 'sandbox', label: 'Bench', credentials: { apiKey: gatewayAccount.credentials.apiKey } },
  });
  expectStatus(reply, 201, 'connecting Asaas');
  return (reply.body as { id: string }).id;
}
