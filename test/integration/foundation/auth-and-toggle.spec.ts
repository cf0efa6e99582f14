import { bearer, enabledAccount, newAccountId, startTestApp, TestApp, tokenFor } from '../../support/test-app';

describe('principals, roles, the Payments module toggle and tenant isolation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(() => t.close());

  describe('authentication', () => {
    it('answers 401 without a token', async () => {
      const response = await t.http.get('/v1/account').expect(401);
      expect(response.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: [] } });
    });

    it('answers 401 for a token signed with another secret', async () => {
      const forged = tokenFor('admin', newAccountId(), { secret: 'another-secret-that-is-long-enough' });
      await t.http.get('/v1/account').set('Authorization', `Bearer ${forged}`).expect(401);
    });

    it('answers 401 for an expired token', async () => {
      const expired = tokenFor('admin', newAccountId(), { expiresIn: -10 });
      const response = await t.http.get('/v1/account').set('Authorization', `Bearer ${expired}`).expect(401);
      expect(response.body.error.message).toMatch(/expired/);
    });

    it('answers 401 for garbage and for a non-bearer scheme', async () => {
      await t.http.get('/v1/account').set('Authorization', 'Bearer not.a.jwt').expect(401);
      await t.http.get('/v1/account').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
    });

    it('answers 401 for an account role without accountId', async () => {
      await t.http.get('/v1/account').set('Authorization', `Bearer ${tokenFor('admin')}`).expect(401);
    });
  });

  describe('roles', () => {
    it('answers 403 when an admin tries the operator route', async () => {
      const response = await t.http.put(`/v1/operator/accounts/${newAccountId()}/payments-module`).set(bearer('admin', newAccountId())).send({ enabled: true }).expect(403);
      expect(response.body.error.code).toBe('forbidden_role');
    });

    it('answers 403 when a viewer tries to create a product', async () => {
      const accountId = await enabledAccount(t);
      await t.http.post('/v1/products').set(bearer('viewer', accountId)).send({ name: 'X', unitPrice: 10 }).expect(403);
    });

    it('answers 403 when an agent tries an admin route', async () => {
      const accountId = await enabledAccount(t);
      await t.http.patch('/v1/account/settings').set(bearer('agent', accountId)).send({ agentsMayRefund: true }).expect(403);
    });
  });

  describe('the Payments module toggle', () => {
    it('is off by default: account-scoped routes answer 403 payments_module_disabled', async () => {
      const accountId = newAccountId();
      const response = await t.http.get('/v1/products').set(bearer('admin', accountId)).expect(403);
      expect(response.body.error.code).toBe('payments_module_disabled');
    });

    it('an operator turns it on and off; the account sees the flag', async () => {
      const accountId = newAccountId();
      const on = await t.http.put(`/v1/operator/accounts/${accountId}/payments-module`).set(bearer('operator')).send({ enabled: true }).expect(200);
      expect(on.body).toMatchObject({ id: accountId, paymentsEnabled: true });
      const account = await t.http.get('/v1/account').set(bearer('viewer', accountId)).expect(200);
      expect(account.body).toMatchObject({ id: accountId, paymentsEnabled: true, settings: { agentsMayRefund: false, reminderOffsetsDays: [-1, 0, 3] } });
      await t.http.put(`/v1/operator/accounts/${accountId}/payments-module`).set(bearer('operator')).send({ enabled: false }).expect(200);
      const off = await t.http.get('/v1/products').set(bearer('admin', accountId)).expect(403);
      expect(off.body.error.code).toBe('payments_module_disabled');
    });

    it('rejects a toggle body that is not a boolean, changing nothing', async () => {
      const accountId = newAccountId();
      const response = await t.http.put(`/v1/operator/accounts/${accountId}/payments-module`).set(bearer('operator')).send({ enabled: 'yes' }).expect(400);
      expect(response.body.error.details).toEqual([{ field: 'enabled', message: expect.any(String) }]);
      await t.http.get(`/v1/operator/accounts/${accountId}`).set(bearer('operator')).expect(404);
    });
  });

  describe('tenant isolation', () => {
    it("answers 404 for another account's product, for reads and writes", async () => {
      const owner = await enabledAccount(t);
      const stranger = await enabledAccount(t);
      const created = await t.http.post('/v1/products').set(bearer('admin', owner)).send({ name: 'Consulta', unitPrice: 150 }).expect(201);
      await t.http.get(`/v1/products/${created.body.id}`).set(bearer('admin', owner)).expect(200);
      const read = await t.http.get(`/v1/products/${created.body.id}`).set(bearer('admin', stranger)).expect(404);
      expect(read.body.error.code).toBe('not_found');
      await t.http.patch(`/v1/products/${created.body.id}`).set(bearer('admin', stranger)).send({ name: 'Hijacked' }).expect(404);
      const list = await t.http.get('/v1/products').set(bearer('admin', stranger)).expect(200);
      expect(list.body).toEqual({ data: [], nextCursor: null });
      const unchanged = await t.http.get(`/v1/products/${created.body.id}`).set(bearer('admin', owner)).expect(200);
      expect(unchanged.body.name).toBe('Consulta');
    });

    it('answers 404, not 500, for a malformed id', async () => {
      const accountId = await enabledAccount(t);
      await t.http.get('/v1/products/not-a-uuid').set(bearer('admin', accountId)).expect(404);
    });
  });
});
