import { bearer, enabledAccount, startTestApp, TestApp } from '../../support/test-app';

describe('errors, validation, health and docs', () => {
  let t: TestApp;
  let accountId: string;

  beforeAll(async () => {
    t = await startTestApp();
    accountId = await enabledAccount(t);
  });

  afterAll(() => t.close());

  it('rejects unknown fields with one detail per field', async () => {
    const response = await t.http.post('/v1/products').set(bearer('admin', accountId)).send({ name: 'A', unitPrice: 1, color: 'red', size: 'L' }).expect(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'color', message: 'color is not an allowed field' },
        { field: 'size', message: 'size is not an allowed field' },
      ]),
    );
  });

  it('reports each bad field once', async () => {
    const response = await t.http.post('/v1/products').set(bearer('admin', accountId)).send({ name: '', unitPrice: true }).expect(400);
    expect(response.body.error.details.map((detail: { field: string }) => detail.field).sort()).toEqual(['name', 'unitPrice']);
  });

  it.each([
    ['three decimals', 10.123],
    ['zero', 0],
    ['negative', -1],
    ['NaN-like string', 'NaN'],
    ['exponent string', '1e3'],
  ])('answers 422 invalid_amount for %s and stores nothing', async (_label, unitPrice) => {
    const response = await t.http.post('/v1/products').set(bearer('admin', accountId)).send({ name: 'Bad price', unitPrice }).expect(422);
    expect(response.body.error.code).toBe('invalid_amount');
    const list = await t.http.get('/v1/products').set(bearer('admin', accountId)).expect(200);
    expect(list.body.data.filter((product: { name: string }) => product.name === 'Bad price')).toHaveLength(0);
  });

  it('answers 400 malformed_json for a broken body, without echoing it', async () => {
    const response = await t.http.post('/v1/products').set(bearer('admin', accountId)).set('Content-Type', 'application/json').send('{"name": "A", secret').expect(400);
    expect(response.body).toEqual({ error: { code: 'malformed_json', message: 'The request body is not valid JSON', details: [] } });
  });

  it('answers JSON 404 for an unknown route', async () => {
    const response = await t.http.get('/v1/nothing-here').set(bearer('admin', accountId)).expect(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('answers 400, not a database error, for a cursor beyond bigint', async () => {
    const cursor = Buffer.from('s:9999999999999999999').toString('base64url');
    const response = await t.http.get('/v1/products').set(bearer('admin', accountId)).query({ cursor }).expect(400);
    expect(response.body.error.details).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });

  it('GET /health reports the database and Redis', async () => {
    const response = await t.http.get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
  });

  it('publishes OpenAPI at /docs-json and the UI at /docs', async () => {
    const json = await t.http.get('/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/v1/account', '/v1/products', '/health']));
    await t.http.get('/docs').expect(200);
  });

  it('echoes a request id', async () => {
    const response = await t.http.get('/health').set('X-Request-Id', 'abc-123').expect(200);
    expect(response.headers['x-request-id']).toBe('abc-123');
  });

  it('pages products with a cursor, newest first, stable under inserts', async () => {
    const pager = await enabledAccount(t);
    for (let index = 1; index <= 5; index += 1) {
      await t.http.post('/v1/products').set(bearer('admin', pager)).send({ name: `P${index}`, unitPrice: index }).expect(201);
    }
    const first = await t.http.get('/v1/products?limit=2').set(bearer('agent', pager)).expect(200);
    expect(first.body.data.map((product: { name: string }) => product.name)).toEqual(['P5', 'P4']);
    await t.http.post('/v1/products').set(bearer('admin', pager)).send({ name: 'P6', unitPrice: 6 }).expect(201);
    const second = await t.http.get(`/v1/products?limit=2&cursor=${first.body.nextCursor}`).set(bearer('agent', pager)).expect(200);
    expect(second.body.data.map((product: { name: string }) => product.name)).toEqual(['P3', 'P2']);
    const third = await t.http.get(`/v1/products?limit=2&cursor=${second.body.nextCursor}`).set(bearer('agent', pager)).expect(200);
    expect(third.body).toMatchObject({ data: [{ name: 'P1' }], nextCursor: null });
  });

  it('rejects limit above 200 and a forged cursor with 400', async () => {
    await t.http.get('/v1/products?limit=201').set(bearer('agent', accountId)).expect(400);
    await t.http.get('/v1/products?cursor=bm9wZQ').set(bearer('agent', accountId)).expect(400);
  });
});
