import { randomUUID } from 'node:crypto';
import { ApiResponse, chargeBody } from './api';
import { sleep } from './service-process';
import { Account, ExpectedCharge, FaultWorld } from './world';

export interface LoadResult {
  /** Every charge the load touched, with the end state it must reach. */
  expected: ExpectedCharge[];
  /** Responses per kind of call, e.g. { 'create 201': 8, 'create 500': 3 }, for the CI log. */
  answers: Record<string, number>;
  /** Gateway webhook deliveries still being retried by the simulators. */
  deliveries: Promise<unknown>;
}

/**
 * Traffic while a dependency fails: new charges created by clients that retry with the same Idempotency-Key and
 * body until they get 201 (as the API asks), customers paying open charges (gateway webhooks, retried by the
 * simulators until acknowledged), and refunds retried the same way. `fault` starts with the traffic and picks its moment.
 */
export async function runLoadAround(world: FaultWorld, accounts: { asaas: Account; mercadopago: Account }, fault: () => Promise<void>): Promise<LoadResult> {
  const answers: Record<string, number> = {};
  const count = (kind: string, response: ApiResponse) => {
    const key = `${kind} ${response.status || 'no answer'}`;
    answers[key] = (answers[key] ?? 0) + 1;
  };
  const expected: ExpectedCharge[] = [];

  // Both gateways, interleaved: Mercado Pago webhooks make the worker call the gateway, Asaas ones do not.
  const toPay = [];
  for (let index = 0; index < 12; index += 1) {
    const account = index % 3 === 2 ? accounts.mercadopago : accounts.asaas;
    toPay.push({ charge: await world.chargeOrFail(account), provider: account.provider });
  }
  const toRefund = await Promise.all(Array.from({ length: 4 }, () => world.chargeOrFail(accounts.asaas)));
  await Promise.all(toRefund.map((charge) => world.pay('asaas', charge.id)));
  await world.eventually('charges to refund are paid', async () => {
    const rows = await world.query(`SELECT count(*)::int AS n FROM charges WHERE id = ANY($1) AND status = 'paid'`, [toRefund.map((charge) => charge.id)]);
    return rows[0].n === toRefund.length;
  }, 30_000);

  const deadline = Date.now() + 240_000;
  const untilAccepted = async (kind: string, send: () => Promise<ApiResponse>): Promise<ApiResponse> => {
    for (;;) {
      const response = await send();
      count(kind, response);
      if (response.status === 201) return response;
      const retryable = response.status === 0 || response.status >= 500 || response.body?.error?.code === 'idempotency_request_in_progress';
      if (!retryable) throw new Error(`${kind} answered ${response.status}: ${JSON.stringify(response.body)}`);
      if (Date.now() > deadline) throw new Error(`${kind} still failing at the deadline: ${response.status} ${JSON.stringify(response.body)}`);
      await sleep(500);
    }
  };

  const creating = (async () => {
    for (let index = 0; index < 8; index += 1) {
      const account = index % 2 === 0 ? accounts.asaas : accounts.mercadopago;
      const key = randomUUID();
      const body = chargeBody();
      const created = await untilAccepted('create', () => world.createCharge(account, { key, body }));
      expected.push({ id: created.body.id, provider: account.provider, status: 'awaiting_payment' });
      await sleep(250);
    }
  })();
  const deliveries: Array<Promise<unknown>> = [];
  const paying = (async () => {
    for (const { charge, provider } of toPay) {
      await sleep(400);
      deliveries.push(world.pay(provider, charge.id).catch((error) => error));
      expected.push({ id: charge.id, provider, status: 'paid', amountPaid: 100 });
    }
  })();
  const refunding = (async () => {
    for (const charge of toRefund) {
      await sleep(700);
      const key = randomUUID();
      await untilAccepted('refund', () => world.refund(accounts.asaas, charge.id, 30, key));
      expected.push({ id: charge.id, provider: 'asaas', status: 'partially_refunded', amountPaid: 100, amountRefunded: 30 });
    }
  })();
  const faulting = fault();

  await Promise.all([creating, paying, refunding, faulting]);
  return { expected, answers, deliveries: Promise.allSettled(deliveries) };
}

/**
 * What the 2-minute pending-refunds schedule would do for a refund cut between its reservation and the gateway
 * call: age the pending refunds past its threshold and run it now.
 */
export async function settlePendingRefundsNow(world: FaultWorld): Promise<unknown> {
  await world.query(`UPDATE refunds SET updated_at = now() - interval '3 minutes' WHERE status = 'pending'`);
  return world.runJobNow('refunds', 'settle-pending-refunds');
}
