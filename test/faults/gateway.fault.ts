import { randomUUID } from 'node:crypto';
import { ApiResponse, chargeBody } from './support/api';
import { Account, ExpectedCharge, FaultWorld, Provider } from './support/world';

/**
 * The gateway fails: 500 before it acted, 500 after it acted (the charge exists but the answer says otherwise),
 * no answer within the adapter's 15 s timeout, or slow answers. The charge is never created twice at the gateway:
 * a retry with the same Idempotency-Key, or the recovery schedule, looks the reference up first.
 */
describe('gateway answering 500, timing out, or answering slowly', () => {
  let world: FaultWorld;
  let asaas: Account;
  let mercadopago: Account;
  const expected: ExpectedCharge[] = [];

  beforeAll(async () => {
    world = await FaultWorld.create({ name: 'gateway' });
    await world.startServices([{ name: 'service' }]);
    asaas = await world.setUpAccount('asaas');
    mercadopago = await world.setUpAccount('mercadopago');
  });

  afterAll(() => world?.close());

  const accountFor = (provider: Provider) => (provider === 'asaas' ? asaas : mercadopago);
  const statusInDatabase = async (chargeId: string) => (await world.query(`SELECT status FROM charges WHERE id = $1`, [chargeId]))[0]?.status;
  /** A client request that can be repeated as is (same Idempotency-Key, same body). */
  const repeatable = (account: Account) => {
    const key = randomUUID();
    const body = chargeBody();
    return () => world.createCharge(account, { key, body });
  };
  /** A 5xx naming the charge it saved as pending. */
  const deferredChargeId = (response: ApiResponse): string => {
    expect(response.status).toBeGreaterThanOrEqual(500);
    const chargeId = response.body?.error?.details?.find((detail: { field: string }) => detail.field === 'chargeId')?.message;
    expect(chargeId).toEqual(expect.any(String));
    return chargeId;
  };

  it.each([
    ['asaas', /^\/v3\/payments$/],
    ['mercadopago', /^\/v1\/payments$/],
  ] as const)('%s answers 500 before creating: 502, then the same request creates the charge once', async (provider, path) => {
    (provider === 'asaas' ? world.asaas : world.mercadopago).failNext(1, 500, path);
    const send = repeatable(accountFor(provider));
    const first = await send();
    expect(first.status).toBe(502);
    expect(first.body.error.code).toBe('gateway_unavailable');
    const chargeId = deferredChargeId(first);
    expect(await statusInDatabase(chargeId)).toBe('pending');
    expect(world.gatewayObjects(provider, chargeId)).toHaveLength(0);

    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id: chargeId, status: 'awaiting_payment', pix: { copyPaste: expect.any(String) } });
    expect(world.gatewayObjects(provider, chargeId)).toHaveLength(1);
    expected.push({ id: chargeId, provider, status: 'awaiting_payment' });
  });

  it.each([
    ['asaas', /^\/v3\/payments$/],
    ['mercadopago', /^\/v1\/payments$/],
  ] as const)('%s answers 500 after creating: the retry finds the charge by reference instead of creating a second', async (provider, path) => {
    const proxy = provider === 'asaas' ? world.asaasProxy : world.mercadopagoProxy;
    proxy.hold({ method: 'POST', path, at: 'after-gateway', holdMs: 1, answerStatus: 500 });
    const send = repeatable(accountFor(provider));
    const chargeId = deferredChargeId(await send());
    expect(await statusInDatabase(chargeId)).toBe('pending');
    expect(world.gatewayObjects(provider, chargeId)).toHaveLength(1);

    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id: chargeId, status: 'awaiting_payment', pix: { copyPaste: expect.any(String) } });
    expect(world.gatewayObjects(provider, chargeId)).toHaveLength(1);
    expected.push({ id: chargeId, provider, status: 'awaiting_payment' });
  });

  describe('a Mercado Pago pix + boleto charge whose boleto fails after its pix was created', () => {
    let multi: { id: string; body: any } | null = null;

    beforeAll(async () => {
      // Mercado Pago needs one payment per method: the pix POST succeeds, the boleto POST answers 503.
      world.mercadopagoProxy.hold({ method: 'POST', path: /^\/v1\/payments$/, bodyIncludes: '"payment_method_id":"bolbradesco"', at: 'refuse', answerStatus: 503 });
      const key = randomUUID();
      const body = chargeBody({ methods: ['pix', 'boleto'] });
      const first = await world.createCharge(mercadopago, { key, body });
      const chargeId = deferredChargeId(first);
      const retry = await world.createCharge(mercadopago, { key, body });
      multi = { id: chargeId, body: retry.body };
      expected.push({ id: chargeId, provider: 'mercadopago', status: 'awaiting_payment', gatewayObjects: null });
    });

    it('is completed on retry without a second pix payment', () => {
      expect(multi!.body).toMatchObject({ id: multi!.id, status: 'awaiting_payment', paymentMethods: ['pix', 'boleto'], pix: { copyPaste: expect.any(String) } });
      expect(world.mercadopago.payments().filter((payment) => payment.externalReference === multi!.id && payment.method === 'pix')).toHaveLength(1);
    });

    // KNOWN BUG (src/charges/create/gateway-charge-completer.ts createOrFind): on a retry or a recovery, whatever
    // findChargeByReference returns is taken as the whole charge, and the Mercado Pago adapter returns the objects
    // that exist (here the pix payment only). The charge goes to awaiting_payment offering boleto without one.
    // The same happens after a crash or a timeout between the two payments (crash.fault.ts). When fixed, Jest
    // reports this test as failing: change `it.failing` to `it`.
    it.failing('KNOWN BUG: also creates the missing boleto instead of completing the charge with pix only', () => {
      expect(world.gatewayObjects('mercadopago', multi!.id)).toHaveLength(2);
      expect(multi!.body.boleto).toMatchObject({ digitableLine: expect.any(String), url: expect.any(String) });
    });
  });

  it('times out after creating (no answer in 15 s): pending, then completed once by a client retry and by the recovery schedule', async () => {
    // Both requests reach Asaas, which creates the payments; the answers come after the adapter's 15 s timeout.
    world.asaasProxy.hold({ method: 'POST', path: /^\/v3\/payments$/, at: 'after-gateway', holdMs: 20_000, count: 2 });
    const sendRetried = repeatable(asaas);
    const sendOnce = repeatable(asaas);
    const started = Date.now();
    const [first, abandoned] = await Promise.all([sendRetried(), sendOnce()]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(14_000);
    const retriedId = deferredChargeId(first);
    const recoveredId = deferredChargeId(abandoned);
    expect(first.body.error.code).toBe('gateway_unavailable');
    for (const chargeId of [retriedId, recoveredId]) {
      expect(await statusInDatabase(chargeId)).toBe('pending');
      expect(world.gatewayObjects('asaas', chargeId)).toHaveLength(1);
    }

    // The client repeats its request: looked up at the gateway and completed, not created again.
    const retry = await sendRetried();
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id: retriedId, status: 'awaiting_payment' });

    // Nobody repeats the other one: the recovery schedule (every 30 s) completes it, again without a second charge.
    await world.eventually('the recovery schedule completes the abandoned charge', async () => (await statusInDatabase(recoveredId)) === 'awaiting_payment', 45_000);
    for (const chargeId of [retriedId, recoveredId]) expect(world.gatewayObjects('asaas', chargeId)).toHaveLength(1);
    expected.push({ id: retriedId, provider: 'asaas', status: 'awaiting_payment' }, { id: recoveredId, provider: 'asaas', status: 'awaiting_payment' });
  });

  it('answers slowly (2 s per call): charges, a webhook that re-reads the payment, and a refund all succeed', async () => {
    world.asaas.setLatency(2000);
    world.mercadopago.setLatency(2000);
    try {
      const started = Date.now();
      const created = await Promise.all([
        world.createCharge(asaas, { timeoutMs: 60_000 }),
        world.createCharge(asaas, { timeoutMs: 60_000 }),
        world.createCharge(mercadopago, { timeoutMs: 60_000 }),
      ]);
      expect(created.map((response) => response.status)).toEqual([201, 201, 201]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
      const [paidAsaas, openAsaas, paidMercadoPago] = created.map((response) => response.body);

      // Mercado Pago notifications are pointers: the worker re-reads the payment through the slow API.
      await world.pay('mercadopago', paidMercadoPago.id);
      await world.pay('asaas', paidAsaas.id);
      await world.eventually('both payments applied', async () => {
        const rows = await world.query(`SELECT count(*)::int AS n FROM charges WHERE id = ANY($1) AND status = 'paid'`, [[paidAsaas.id, paidMercadoPago.id]]);
        return rows[0].n === 2;
      }, 30_000);
      const refund = await world.refund(asaas, paidAsaas.id, 40, randomUUID());
      expect(refund.status).toBe(201);
      expect(refund.body).toMatchObject({ amount: 40, status: 'succeeded' });

      expected.push(
        { id: paidAsaas.id, provider: 'asaas', status: 'partially_refunded', amountPaid: 100, amountRefunded: 40 },
        { id: openAsaas.id, provider: 'asaas', status: 'awaiting_payment' },
        { id: paidMercadoPago.id, provider: 'mercadopago', status: 'paid', amountPaid: 100 },
      );
    } finally {
      world.asaas.setLatency(0);
      world.mercadopago.setLatency(0);
    }
  });

  it('ends with every charge once at the gateway, every event delivered once, and the ledger clean', async () => {
    await world.settle([asaas, mercadopago], 60_000);
    await world.expectConverged({ accounts: [asaas, mercadopago], charges: expected, eventDelivery: 'exactly-once' });
    await world.summary('gateway faults');
  });
});
