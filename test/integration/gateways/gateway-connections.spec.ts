import { GatewayClient } from '../../../src/gateways/gateway-client';
import { GatewayConnectionsService } from '../../../src/gateways/connections/gateway-connections.service';
import { JsonLogger } from '../../../src/common/logging/json-logger';
import { startSimulators, Simulators } from '../../support/simulators';
import { bearer, enabledAccount, startTestApp, TestApp } from '../../support/test-app';

describe('gateway connections', () => {
  let sims: Simulators;
  let t: TestApp;
  const logLines: string[] = [];

  beforeAll(async () => {
    sims = await startSimulators();
    JsonLogger.setSink((line) => logLines.push(line));
    t = await startTestApp({ ...sims.env, LOG_LEVEL: 'debug', PUBLIC_BASE_URL: 'https://payments.example.com' });
  });

  afterAll(async () => {
    await t.close();
    await sims.stop();
    JsonLogger.setSink((line) => process.stdout.write(`${line}\n`));
  });

  const connect = (accountId: string, body: object) => t.http.post('/v1/gateway-connections').set(bearer('admin', accountId)).send(body);

  async function dumpDatabase(): Promise<string> {
    const tables: Array<{ table_name: string }> = await t.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    const dumps = await Promise.all(tables.map(({ table_name }) => t.dataSource.query(`SELECT coalesce(json_agg(t)::text, '') AS dump FROM ${table_name} t`)));
    return dumps.map((rows: Array<{ dump: string }>) => rows[0].dump).join('\n');
  }

  describe('Asaas', () => {
    it('validates the key, registers the webhook and stores the credentials encrypted', async () => {
      const accountId = await enabledAccount(t);
      const gatewayAccount = sims.asaas.createAccount({ name: 'Loja da Maria' });
      const response = await connect(accountId, { provider: 'asaas', environment: 'sandbox', label: 'Loja', credentials: { apiKey: gatewayAccount.credentials.apiKey } }).expect(201);
      expect(response.body).toMatchObject({
        id: expect.any(String),
        provider: 'asaas',
        environment: 'sandbox',
        status: 'active',
        webhookUrl: `https://payments.example.com/webhooks/asaas/${response.body.id}`,
        paymentMethods: ['pix', 'boleto', 'card'],
      });
      expect(JSON.stringify(response.body)).not.toContain(gatewayAccount.credentials.apiKey!);

      const registration = sims.asaas.requests().find((request) => request.method === 'POST' && request.path.endsWith('/webhooks'));
      expect(registration?.body).toMatchObject({ url: response.body.webhookUrl, sendType: 'SEQUENTIALLY', enabled: true, authToken: expect.any(String) });
      expect(registration?.headers['access_token']).toBe(gatewayAccount.credentials.apiKey);
      expect(registration?.headers['user-agent']).toBeTruthy();

      const authToken = (registration!.body as { authToken: string }).authToken;
      const dump = await dumpDatabase();
      expect(dump).toContain(response.body.id);
      expect(dump).not.toContain(gatewayAccount.credentials.apiKey!);
      expect(dump).not.toContain(authToken);
      expect(logLines.join('\n')).not.toContain(gatewayAccount.credentials.apiKey!);
      expect(logLines.join('\n')).not.toContain(authToken);
    });

    it("answers 422 invalid_gateway_credentials with Asaas's reason and stores nothing", async () => {
      const accountId = await enabledAccount(t);
      const response = await connect(accountId, { provider: 'asaas', environment: 'sandbox', credentials: { apiKey: '$aact_hmlg_wrong' } }).expect(422);
      expect(response.body.error.code).toBe('invalid_gateway_credentials');
      expect(response.body.error.details[0].message.length).toBeGreaterThan(0);
      const list = await t.http.get('/v1/gateway-connections').set(bearer('admin', accountId)).expect(200);
      expect(list.body.data).toEqual([]);
    });

    it('requires apiKey for Asaas', async () => {
      const accountId = await enabledAccount(t);
      const response = await connect(accountId, { provider: 'asaas', environment: 'sandbox', credentials: {} }).expect(400);
      expect(response.body.error.details).toEqual([{ field: 'credentials.apiKey', message: expect.any(String) }]);
    });
  });

  describe('Mercado Pago', () => {
    it('validates the token with /users/me and registers no webhook', async () => {
      const accountId = await enabledAccount(t);
      const gatewayAccount = sims.mercadopago.createAccount();
      const response = await connect(accountId, { provider: 'mercadopago', environment: 'production', credentials: gatewayAccount.credentials }).expect(201);
      expect(response.body).toMatchObject({ provider: 'mercadopago', environment: 'production', status: 'active', webhookUrl: `https://payments.example.com/webhooks/mercadopago/${response.body.id}` });
      expect(sims.mercadopago.requests().some((request) => request.path === '/users/me' && request.headers.authorization === `Bearer ${gatewayAccount.credentials.accessToken}`)).toBe(true);
      const dump = await dumpDatabase();
      expect(dump).not.toContain(gatewayAccount.credentials.accessToken!);
      expect(dump).not.toContain(gatewayAccount.credentials.webhookSecret!);
    });

    it("answers 422 with Mercado Pago's reason for a wrong token", async () => {
      const accountId = await enabledAccount(t);
      const response = await connect(accountId, { provider: 'mercadopago', environment: 'sandbox', credentials: { accessToken: 'APP_USR-wrong', webhookSecret: 'whsec' } }).expect(422);
      expect(response.body.error.code).toBe('invalid_gateway_credentials');
    });

    it('requires the access token and the webhook secret', async () => {
      const accountId = await enabledAccount(t);
      const response = await connect(accountId, { provider: 'mercadopago', environment: 'sandbox', credentials: { accessToken: 'x' } }).expect(400);
      expect(response.body.error.details).toEqual([{ field: 'credentials.webhookSecret', message: expect.any(String) }]);
    });
  });

  it('lists, reads and disconnects; other accounts and agents get 404/403', async () => {
    const accountId = await enabledAccount(t);
    const stranger = await enabledAccount(t);
    const created = await connect(accountId, { provider: 'asaas', environment: 'sandbox', credentials: sims.asaas.createAccount().credentials }).expect(201);
    const list = await t.http.get('/v1/gateway-connections').set(bearer('admin', accountId)).expect(200);
    expect(list.body.data.map((connection: { id: string }) => connection.id)).toEqual([created.body.id]);
    await t.http.get(`/v1/gateway-connections/${created.body.id}`).set(bearer('admin', stranger)).expect(404);
    await t.http.delete(`/v1/gateway-connections/${created.body.id}`).set(bearer('admin', stranger)).expect(404);
    await t.http.get(`/v1/gateway-connections/${created.body.id}`).set(bearer('agent', accountId)).expect(403);
    await t.http.delete(`/v1/gateway-connections/${created.body.id}`).set(bearer('admin', accountId)).expect(204);
    const read = await t.http.get(`/v1/gateway-connections/${created.body.id}`).set(bearer('admin', accountId)).expect(200);
    expect(read.body.status).toBe('disconnected');
  });

  it('a later 401 marks the connection invalid once, emits gateway_connection.invalid and blocks new charges', async () => {
    const accountId = await enabledAccount(t);
    const created = await connect(accountId, { provider: 'asaas', environment: 'sandbox', credentials: sims.asaas.createAccount().credentials }).expect(201);
    const connections = t.app.get(GatewayConnectionsService);
    const client = t.app.get(GatewayClient);
    const connection = (await connections.findById(created.body.id))!;

    sims.asaas.failNext(2, 401);
    await expect(client.call(connection, (adapter, ctx) => adapter.validateCredentials(ctx))).rejects.toMatchObject({ kind: 'invalid_credentials' });
    await expect(client.call(connection, (adapter, ctx) => adapter.validateCredentials(ctx))).rejects.toMatchObject({ kind: 'invalid_credentials' });

    const read = await t.http.get(`/v1/gateway-connections/${created.body.id}`).set(bearer('admin', accountId)).expect(200);
    expect(read.body.status).toBe('invalid');
    const events: Array<{ type: string; data: { gatewayConnectionId: string } }> = await t.dataSource.query(`SELECT type, data FROM outbound_events WHERE account_id = $1`, [accountId]);
    expect(events).toEqual([{ type: 'gateway_connection.invalid', data: expect.objectContaining({ gatewayConnectionId: created.body.id }) }]);
    await expect(connections.resolveForCharge(accountId, created.body.id)).rejects.toMatchObject({ code: 'gateway_connection_unusable' });
    await expect(connections.resolveForCharge(accountId, undefined)).rejects.toMatchObject({ code: 'gateway_not_connected' });
  });
});
