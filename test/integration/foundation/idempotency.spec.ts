import { createHash, randomUUID } from 'node:crypto';
import { stableStringify } from '../../../src/common/idempotency/stable-json';
import { bearer, enabledAccount, startTestApp, TestApp } from '../../support/test-app';

describe('Idempotency-Key', () => {
  let t: TestApp;
  let accountId: string;

  beforeAll(async () => {
    t = await startTestApp();
    accountId = await enabledAccount(t);
  });

  afterAll(() => t.close());

  const createProduct = (key: string, body: object, account = accountId) =>
    t.http.post('/v1/products').set(bearer('admin', account)).set('Idempotency-Key', key).send(body);

  const countProducts = async (name: string): Promise<number> => {
    const rows: Array<{ count: string }> = await t.dataSource.query('SELECT count(*) FROM products WHERE account_id = $1 AND name = $2', [accountId, name]);
    return Number(rows[0].count);
  };

  it('replays the stored response for the same key and body, creating nothing', async () => {
    const key = randomUUID();
    const first = await createProduct(key, { name: 'Replay me', unitPrice: 10 }).expect(201);
    const second = await createProduct(key, { unitPrice: 10, name: 'Replay me' }).expect(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await countProducts('Replay me')).toBe(1);
  });

  it('answers 409 idempotency_key_reused for the same key with a different body', async () => {
    const key = randomUUID();
    await createProduct(key, { name: 'Original', unitPrice: 10 }).expect(201);
    const reused = await createProduct(key, { name: 'Different', unitPrice: 10 }).expect(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await countProducts('Different')).toBe(0);
  });

  it('runs the work once for concurrent requests with one key', async () => {
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 10 }, () => createProduct(key, { name: 'Concurrent', unitPrice: 5 })));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(201));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    expect(await countProducts('Concurrent')).toBe(1);
  });

  it('replays a stored validation error as it was', async () => {
    const key = randomUUID();
    const first = await createProduct(key, { name: 'Bad', unitPrice: 1.234 }).expect(422);
    const second = await createProduct(key, { name: 'Bad', unitPrice: 1.234 }).expect(422);
    expect(second.body).toEqual(first.body);
  });

  it('keeps keys per account: another account may use the same key', async () => {
    const key = randomUUID();
    const other = await enabledAccount(t);
    const mine = await createProduct(key, { name: 'Mine', unitPrice: 1 }).expect(201);
    const theirs = await createProduct(key, { name: 'Mine', unitPrice: 1 }, other).expect(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('lets a retry take over a key whose first request died mid-flight (lease expired)', async () => {
    const key = randomUUID();
    const body = { name: 'After crash', unitPrice: 3 };
    await t.dataSource.query(
      `INSERT INTO idempotency_records (account_id, idempotency_key, scope, request_hash, state, locked_until)
       VALUES ($1, $2, 'POST /v1/products', $3, 'in_progress', now() - interval '1 second')`,
      [accountId, key, createHash('sha256').update(`POST /v1/products\n${stableStringify(body)}`).digest('hex')],
    );
    await createProduct(key, body).expect(201);
    expect(await countProducts('After crash')).toBe(1);
  });

  it('rejects a key that is too long', async () => {
    const response = await createProduct('k'.repeat(256), { name: 'Long key', unitPrice: 1 }).expect(400);
    expect(response.body.error.details[0].field).toBe('Idempotency-Key');
  });
});
