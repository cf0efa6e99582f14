import { JsonLogger } from '../../../src/common/logging/json-logger';
import { chargeBody, connectGateway } from '../../support/charges';
import { startSimulators, Simulators } from '../../support/simulators';
import { bearer, enabledAccount, startTestApp, TestApp } from '../../support/test-app';

const PAN = '4111111111111111';
const CVV = '737';

describe('card data is never accepted', () => {
  let sims: Simulators;
  let t: TestApp;
  let accountId: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    sims = await startSimulators();
    JsonLogger.setSink((line) => logLines.push(line));
    t = await startTestApp({ ...sims.env, LOG_LEVEL: 'debug' });
    accountId = await enabledAccount(t);
    await connectGateway(t, sims, accountId);
  });

  afterAll(async () => {
    await t.close();
    await sims.stop();
    JsonLogger.setSink((line) => process.stdout.write(`${line}\n`));
  });

  it.each([
    ['a card object', { card: { number: PAN, cvv: CVV, expiryMonth: '12', expiryYear: '2030', holderName: 'MARIA S' } }],
    ['Asaas-style creditCard fields', { creditCard: { holderName: 'MARIA S', number: PAN, expiryMonth: '12', expiryYear: '2030', ccv: CVV } }],
    ['a top-level cardNumber', { cardNumber: PAN }],
    ['a CVV alone', { cvv: CVV }],
    ['a card number hidden in the description', { description: `cartão ${PAN.replace(/(\d{4})/g, '$1 ').trim()}` }],
    ['a card number in metadata', { metadata: { note: PAN } }],
  ])('refuses %s with 422 card_data_not_accepted, storing and logging nothing of it', async (_label, extra) => {
    const before = await t.dataSource.query('SELECT count(*) FROM charges');
    const response = await t.http.post('/v1/charges').set(bearer('agent', accountId)).set('Idempotency-Key', `card-${_label}`).send(chargeBody(extra)).expect(422);
    expect(response.body.error.code).toBe('card_data_not_accepted');
    expect(JSON.stringify(response.body)).not.toContain(PAN);
    expect(await t.dataSource.query('SELECT count(*) FROM charges')).toEqual(before);

    const tables: Array<{ table_name: string }> = await t.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    for (const { table_name } of tables) {
      const [{ dump }] = await t.dataSource.query(`SELECT coalesce(json_agg(t)::text, '') AS dump FROM ${table_name} t`);
      expect(dump).not.toContain(PAN);
      expect(dump).not.toContain('MARIA S');
    }
    expect(logLines.join('\n')).not.toContain(PAN);
    expect(logLines.join('\n')).not.toContain('4111 1111');
  });

  it('still accepts CPF, CNPJ and phone numbers', async () => {
    await t.http.post('/v1/charges').set(bearer('agent', accountId)).send(chargeBody({ customer: { name: 'Empresa', cpfCnpj: '11222333000181', phone: '+55 47 99878-1877' } })).expect(201);
  });
});
