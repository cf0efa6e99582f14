import { isValidBoleto } from '@brazilian-utils/brazilian-utils';
import { randomUUID } from 'node:crypto';
import { hasError, parsePix } from 'pix-utils';
import { ChargeRecoveryProcessor } from '../../../src/charges/create/charge-recovery.processor';
import { ChargesRepository } from '../../../src/charges/charges.repository';
import { chargeBody, connectGateway, daysFromToday, VALID_CNPJ } from '../../support/charges';
import { startSimulators, Simulators } from '../../support/simulators';
import { bearer, enabledAccount, startTestApp, TestApp } from '../../support/test-app';

const PNG_SIGNATURE = '89504e47';

describe('creating charges', () => {
  let sims: Simulators;
  let t: TestApp;
  let accountId: string;

  beforeAll(async () => {
    sims = await startSimulators();
    t = await startTestApp(sims.env);
    accountId = await enabledAccount(t);
    await connectGateway(t, sims, accountId, 'asaas');
  });

  afterAll(async () => {
    await t.close();
    await sims.stop();
  });

  const create = (body: object, account = accountId, key?: string) => {
    const request = t.http.post('/v1/charges').set(bearer('agent', account));
    if (key) request.set('Idempotency-Key', key);
    return request.send(body);
  };

  const countCharges = async (account = accountId): Promise<number> => Number((await t.dataSource.query('SELECT count(*) FROM charges WHERE account_id = $1', [account]))[0].count);

  describe('totals', () => {
    it('computes subtotal, percentage discount (half-up), adjustment and total with big.js', async () => {
      const response = await create(
        chargeBody({
          items: [
            { description: 'Consulta', quantity: 1, unitPrice: 150.0 },
            { description: 'Exame', quantity: 2, unitPrice: '12.95' },
          ],
          discount: { type: 'percentage', value: 10 },
          adjustment: { amount: -5.0, reason: 'frete' },
        }),
      ).expect(201);
      expect(response.body).toMatchObject({
        status: 'awaiting_payment',
        currency: 'BRL',
        subtotal: 175.9,
        discount: { type: 'percentage', value: 10 },
        discountAmount: 17.59,
        adjustmentAmount: -5,
        adjustmentReason: 'frete',
        total: 153.31,
        amountPaid: 0,
        amountRefunded: 0,
        balanceDue: 153.31,
        items: [
          { description: 'Consulta', quantity: 1, unitPrice: 150, total: 150 },
          { description: 'Exame', quantity: 2, unitPrice: 12.95, total: 25.9 },
        ],
      });
      const [payment] = sims.asaas.payments().filter((candidate) => candidate.externalReference === response.body.id);
      expect(payment.value).toBe('153.31');
    });

    it('applies a fixed discount and a positive adjustment', async () => {
      const response = await create(chargeBody({ discount: { type: 'fixed', value: 50 }, adjustment: { amount: 0.1, reason: 'taxa' } })).expect(201);
      expect(response.body).toMatchObject({ subtotal: 150, discountAmount: 50, adjustmentAmount: 0.1, total: 100.1 });
    });

    it('numbers charges sequentially per account', async () => {
      const first = await create(chargeBody()).expect(201);
      const second = await create(chargeBody()).expect(201);
      expect(second.body.number).toBe(first.body.number + 1);
    });

    it.each([
      [{ discount: { type: 'fixed', value: 150.01 } }, 'invalid_discount'],
      [{ discount: { type: 'percentage', value: 100.5 } }, 'invalid_discount'],
      [{ discount: { type: 'percentage', value: 100 } }, 'invalid_total'],
      [{ adjustment: { amount: -150, reason: 'x' } }, 'invalid_total'],
      [{ items: [{ description: 'A', quantity: 1, unitPrice: 10.001 }] }, 'invalid_amount'],
      [{ items: [{ description: 'A', quantity: 1, unitPrice: -1 }] }, 'invalid_amount'],
      [{ items: [{ description: 'A', quantity: 1, unitPrice: 'NaN' }] }, 'invalid_amount'],
      [{ adjustment: { amount: '1.234', reason: 'x' } }, 'invalid_amount'],
      [{ customer: { name: 'Maria', cpfCnpj: '12345678900' } }, 'invalid_cpf_cnpj'],
      [{ customer: { name: 'Empresa', cpfCnpj: '11.222.333/0001-80' } }, 'invalid_cpf_cnpj'],
      [{ dueDate: daysFromToday(-1) }, 'invalid_due_date'],
      [{ dueDate: '2026-02-30' }, 'invalid_due_date'],
      [{ paymentMethods: ['pix'], installments: 2 }, 'installments_unavailable'],
    ])('refuses %p with 422 %s and stores nothing', async (overrides, code) => {
      const before = await countCharges();
      const response = await create(chargeBody(overrides)).expect(422);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.details.length).toBeGreaterThan(0);
      expect(await countCharges()).toBe(before);
    });

    it('accepts a punctuated valid CNPJ and stores digits', async () => {
      const response = await create(chargeBody({ customer: { name: 'Empresa Ltda', cpfCnpj: '11.222.333/0001-81' } })).expect(201);
      const rows = await t.dataSource.query('SELECT cpf_cnpj FROM customers WHERE id = $1', [response.body.customerId]);
      expect(rows[0].cpf_cnpj).toBe(VALID_CNPJ);
    });

    it('rejects unknown fields and a missing customer with 400', async () => {
      await create(chargeBody({ color: 'blue' })).expect(400);
      const { customer: _customer, ...withoutCustomer } = chargeBody();
      const response = await create(withoutCustomer).expect(400);
      expect(response.body.error.details[0].field).toBe('customer');
    });
  });

  describe('installments', () => {
    it('returns the schedule with the remainder on the last installment (R$ 350,00 in 12x)', async () => {
      const response = await create(chargeBody({ items: [{ description: 'Curso', quantity: 1, unitPrice: 350 }], paymentMethods: ['card'], installments: 12 })).expect(201);
      expect(response.body.installments).toBe(12);
      const amounts = response.body.installmentPlan.map((line: { amount: number }) => line.amount);
      expect(amounts).toEqual([...Array(11).fill(29.16), 29.24]);
      expect(response.body.installmentPlan[1].dueDate > response.body.installmentPlan[0].dueDate).toBe(true);
    });

    it('refuses more installments than the gateway allows', async () => {
      const response = await create(chargeBody({ paymentMethods: ['card'], installments: 22 })).expect(422);
      expect(response.body.error.code).toBe('installments_unavailable');
    });
  });

  describe('gateway artifacts', () => {
    it('returns a valid PIX copy-and-paste and a PNG QR image', async () => {
      const response = await create(chargeBody({ paymentMethods: ['pix'] })).expect(201);
      expect(hasError(parsePix(response.body.pix.copyPaste))).toBe(false);
      expect(Buffer.from(response.body.pix.qrCodePng, 'base64').subarray(0, 4).toString('hex')).toBe(PNG_SIGNATURE);
      expect(response.body.pix.expiresAt).toEqual(expect.any(String));
      expect(response.body.boleto).toBeUndefined();
    });

    it('returns the boleto line, barcode and URL, and the hosted checkout for every method', async () => {
      const response = await create(chargeBody({ paymentMethods: ['pix', 'boleto', 'card'] })).expect(201);
      expect(isValidBoleto(response.body.boleto.digitableLine)).toBe(true);
      expect(response.body.boleto.barcode).toMatch(/^\d{44}$/);
      expect(response.body.boleto.url).toMatch(/^https?:\/\//);
      expect(response.body.checkoutUrl).toMatch(/^https?:\/\//);
      expect(response.body.paymentMethods).toEqual(['pix', 'boleto', 'card']);
    });

    it('looks the customer up at Asaas once per connection', async () => {
      const account = await enabledAccount(t);
      await connectGateway(t, sims, account, 'asaas');
      await create(chargeBody(), account).expect(201);
      await create(chargeBody(), account).expect(201);
      const rows = await t.dataSource.query(
        `SELECT count(*) FROM customer_gateway_links l JOIN customers c ON c.id = l.customer_id WHERE c.account_id = $1`,
        [account],
      );
      expect(Number(rows[0].count)).toBe(1);
    });

    it('works on Mercado Pago: PIX and boleto payments plus a Checkout Pro link', async () => {
      const account = await enabledAccount(t);
      await connectGateway(t, sims, account, 'mercadopago');
      const address = { postalCode: '01310100', street: 'Av. Paulista', number: '1000', neighborhood: 'Bela Vista', city: 'São Paulo', state: 'SP' };
      const response = await create(chargeBody({ customer: { name: 'Maria Souza', cpfCnpj: '24971563792', email: 'maria@example.com', address }, paymentMethods: ['pix', 'boleto', 'card'] }), account).expect(201);
      expect(hasError(parsePix(response.body.pix.copyPaste))).toBe(false);
      expect(isValidBoleto(response.body.boleto.digitableLine)).toBe(true);
      expect(response.body.checkoutUrl).toMatch(/^https?:\/\//);
      const boletoRequest = sims.mercadopago.requests().find((request) => request.path === '/v1/payments' && (request.body as { payment_method_id?: string }).payment_method_id === 'bolbradesco');
      expect((boletoRequest?.body as { payer: { address: unknown } }).payer.address).toMatchObject({ zip_code: '01310100', federal_unit: 'SP' });
    });
  });

  describe('catalog items', () => {
    it('copies the product name and price, so later catalog changes do not alter the charge', async () => {
      const product = await t.http.post('/v1/products').set(bearer('admin', accountId)).send({ name: 'Sessão de fisioterapia', unitPrice: 120 }).expect(201);
      const charge = await create(chargeBody({ items: [{ productId: product.body.id, quantity: 2 }], discount: { type: 'percentage', value: 5 } })).expect(201);
      expect(charge.body).toMatchObject({ source: 'catalog', subtotal: 240, discountAmount: 12, total: 228, items: [{ productId: product.body.id, description: 'Sessão de fisioterapia', unitPrice: 120, total: 240 }] });
      await t.http.patch(`/v1/products/${product.body.id}`).set(bearer('admin', accountId)).send({ unitPrice: 200, name: 'Renamed' }).expect(200);
      const reread = await t.http.get(`/v1/charges/${charge.body.id}`).set(bearer('viewer', accountId)).expect(200);
      expect(reread.body.items[0]).toMatchObject({ description: 'Sessão de fisioterapia', unitPrice: 120 });
    });

    it('refuses an inactive or foreign product with 422', async () => {
      const product = await t.http.post('/v1/products').set(bearer('admin', accountId)).send({ name: 'Old', unitPrice: 10 }).expect(201);
      await t.http.post(`/v1/products/${product.body.id}/deactivate`).set(bearer('admin', accountId)).expect(200);
      expect((await create(chargeBody({ items: [{ productId: product.body.id, quantity: 1 }] })).expect(422)).body.error.code).toBe('product_unavailable');
      expect((await create(chargeBody({ items: [{ productId: randomUUID(), quantity: 1 }] })).expect(422)).body.error.code).toBe('product_unavailable');
    });
  });

  describe('connections', () => {
    it('needs a connection, and an explicit one when there are several', async () => {
      const account = await enabledAccount(t);
      expect((await create(chargeBody(), account).expect(422)).body.error.code).toBe('gateway_not_connected');
      await connectGateway(t, sims, account, 'asaas');
      const second = await connectGateway(t, sims, account, 'mercadopago');
      expect((await create(chargeBody(), account).expect(422)).body.error.code).toBe('gateway_connection_required');
      const response = await create(chargeBody({ gatewayConnectionId: second }), account).expect(201);
      expect(response.body.gatewayConnectionId).toBe(second);
    });

    it("answers 422 when the gateway refuses the charge, with the gateway's reason", async () => {
      const response = await create(chargeBody({ items: [{ description: 'Chiclete', quantity: 1, unitPrice: 1 }], paymentMethods: ['boleto'] })).expect(422);
      expect(response.body.error.code).toBe('gateway_rejected_charge');
      const chargeId = response.body.error.details[0].message;
      const rows = await t.dataSource.query('SELECT status, last_error FROM charges WHERE id = $1', [chargeId]);
      expect(rows[0].status).toBe('failed');
    });
  });

  describe('exactly once', () => {
    it('replays the first response for the same Idempotency-Key and body, creating one gateway charge', async () => {
      const key = randomUUID();
      const first = await create(chargeBody(), accountId, key).expect(201);
      const second = await create(chargeBody(), accountId, key).expect(201);
      expect(second.body).toEqual(first.body);
      expect(sims.asaas.payments().filter((payment) => payment.externalReference === first.body.id)).toHaveLength(1);
    });

    it('answers 409 for the same key with a different body', async () => {
      const key = randomUUID();
      await create(chargeBody(), accountId, key).expect(201);
      const before = await countCharges();
      expect((await create(chargeBody({ description: 'other' }), accountId, key).expect(409)).body.error.code).toBe('idempotency_key_reused');
      expect(await countCharges()).toBe(before);
    });

    it('runs ten concurrent requests with one key once', async () => {
      const key = randomUUID();
      const responses = await Promise.all(Array.from({ length: 10 }, () => create(chargeBody({ description: 'concurrent' }), accountId, key)));
      expect(new Set(responses.map((response) => response.status))).toEqual(new Set([201]));
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
      expect(sims.asaas.payments().filter((payment) => payment.externalReference === responses[0].body.id)).toHaveLength(1);
    });

    it('recovers a charge whose step after the gateway call failed, without a second gateway charge', async () => {
      const repository = t.app.get(ChargesRepository);
      const spy = jest.spyOn(repository, 'completeCreation').mockRejectedValueOnce(new Error('connection lost after the gateway call'));
      const failed = await create(chargeBody({ description: 'crash after gateway' })).expect(503);
      spy.mockRestore();
      expect(failed.body.error.code).toBe('charge_creation_incomplete');
      const chargeId = failed.body.error.details[0].message;
      expect(sims.asaas.payments().filter((payment) => payment.externalReference === chargeId)).toHaveLength(1);
      expect((await t.dataSource.query('SELECT status FROM charges WHERE id = $1', [chargeId]))[0].status).toBe('pending');

      const outcome = await t.app.get(ChargeRecoveryProcessor).recoverPendingCharges();
      expect(outcome.completed).toBeGreaterThanOrEqual(1);
      const recovered = await t.http.get(`/v1/charges/${chargeId}`).set(bearer('viewer', accountId)).expect(200);
      expect(recovered.body.status).toBe('awaiting_payment');
      expect(recovered.body.pix.copyPaste).toEqual(expect.any(String));
      expect(sims.asaas.payments().filter((payment) => payment.externalReference === chargeId)).toHaveLength(1);
      const events = await t.dataSource.query(`SELECT count(*) FROM outbound_events WHERE type = 'charge.awaiting_payment' AND data->'charge'->>'id' = $1`, [chargeId]);
      expect(Number(events[0].count)).toBe(1);
    });

    it('resumes the same pending charge when the client retries with the same key after a gateway outage', async () => {
      const key = randomUUID();
      sims.asaas.failNext(1, 503, /\/payments$/);
      const failed = await create(chargeBody({ description: 'outage' }), accountId, key).expect(502);
      expect(failed.body.error.code).toBe('gateway_unavailable');
      const retried = await create(chargeBody({ description: 'outage' }), accountId, key).expect(201);
      expect(retried.body.id).toBe(failed.body.error.details[0].message);
      expect(retried.body.status).toBe('awaiting_payment');
      expect(sims.asaas.payments().filter((payment) => payment.externalReference === retried.body.id)).toHaveLength(1);
    });
  });

  describe('reading and listing', () => {
    it("answers 404 for another account's charge", async () => {
      const charge = await create(chargeBody()).expect(201);
      const stranger = await enabledAccount(t);
      await t.http.get(`/v1/charges/${charge.body.id}`).set(bearer('admin', stranger)).expect(404);
      await t.http.get(`/v1/charges/${randomUUID()}`).set(bearer('admin', accountId)).expect(404);
      await t.http.get('/v1/charges/123').set(bearer('admin', accountId)).expect(404);
    });

    it('filters by status, customer and due range, and pages with a stable cursor', async () => {
      const account = await enabledAccount(t);
      await connectGateway(t, sims, account, 'asaas');
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) ids.push((await create(chargeBody({ dueDate: daysFromToday(10 + index) }), account).expect(201)).body.id);
      const other = await create(chargeBody({ customer: { name: 'Outra', cpfCnpj: VALID_CNPJ } }), account).expect(201);

      const page1 = await t.http.get('/v1/charges?limit=2').set(bearer('viewer', account)).expect(200);
      expect(page1.body.data.map((charge: { id: string }) => charge.id)).toEqual([other.body.id, ids[4]]);
      await create(chargeBody(), account).expect(201);
      const page2 = await t.http.get(`/v1/charges?limit=2&cursor=${page1.body.nextCursor}`).set(bearer('viewer', account)).expect(200);
      expect(page2.body.data.map((charge: { id: string }) => charge.id)).toEqual([ids[3], ids[2]]);

      const byCustomer = await t.http.get(`/v1/charges?customerId=${other.body.customerId}`).set(bearer('viewer', account)).expect(200);
      expect(byCustomer.body.data.map((charge: { id: string }) => charge.id)).toEqual([other.body.id]);
      const byDue = await t.http.get(`/v1/charges?dueFrom=${daysFromToday(11)}&dueTo=${daysFromToday(12)}`).set(bearer('viewer', account)).expect(200);
      expect(byDue.body.data.map((charge: { id: string }) => charge.id)).toEqual([ids[2], ids[1]]);
      const byStatus = await t.http.get('/v1/charges?status=paid,canceled').set(bearer('viewer', account)).expect(200);
      expect(byStatus.body.data).toEqual([]);
      await t.http.get('/v1/charges?status=bogus').set(bearer('viewer', account)).expect(400);
    });
  });
});
