import { QueryFailedError } from 'typeorm';
import { renderError } from '../../../src/common/errors/error-body';
import { JsonLogger } from '../../../src/common/logging/json-logger';
import { redact } from '../../../src/common/logging/redact';
import { findProcessorProblems } from '../../../src/common/queue/job-processor.check';
import { JOBS } from '../../../src/common/queue/queues';
import { stableStringify } from '../../../src/common/idempotency/stable-json';

describe('error rendering', () => {
  it('turns a database error into a generic 500 without SQL', () => {
    const rendered = renderError(new QueryFailedError('SELECT secret FROM credentials', [], new Error('relation does not exist')));
    expect(rendered.status).toBe(500);
    expect(JSON.stringify(rendered.body)).not.toMatch(/SELECT|credentials|relation/);
    expect(rendered.unexpected).toBe(true);
  });
});

describe('log redaction', () => {
  it('redacts secrets and card fields at any depth', () => {
    const redacted = redact({ headers: { authorization: 'Bearer x', 'asaas-access-token': 't' }, credentials: { apiKey: 'k' }, card: { number: '4111' }, amount: 10 });
    expect(redacted).toEqual({ headers: { authorization: '[redacted]', 'asaas-access-token': '[redacted]' }, credentials: '[redacted]', card: '[redacted]', amount: 10 });
  });

  it('writes one JSON line per entry with redaction applied', () => {
    const lines: string[] = [];
    JsonLogger.setSink((line) => lines.push(line));
    new JsonLogger('info').log({ msg: 'connected', accessToken: 'APP_USR-123' }, 'Gateways');
    new JsonLogger('info').debug('hidden below info');
    JsonLogger.setSink((line) => process.stdout.write(`${line}\n`));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', context: 'Gateways', msg: 'connected', accessToken: '[redacted]' });
  });
});

describe('job processor check', () => {
  const declared = () => new Map(Object.entries(JOBS).flatMap(([queue, jobs]) => jobs.map((job) => [`${queue}:${job}`, 1] as [string, number])));

  it('accepts exactly one processor per declared job', () => {
    expect(findProcessorProblems(declared())).toEqual([]);
  });

  it('reports missing, duplicated and undeclared processors', () => {
    const missing = declared();
    missing.delete('maintenance:purge-idempotency-records');
    expect(findProcessorProblems(missing)).toEqual(['no processor for maintenance:purge-idempotency-records']);
    expect(findProcessorProblems(declared().set('maintenance:purge-idempotency-records', 2))).toEqual(['2 processors for maintenance:purge-idempotency-records']);
    expect(findProcessorProblems(declared().set('maintenance:other', 1))).toEqual(['processor for undeclared job maintenance:other']);
  });
});

describe('stable JSON', () => {
  it('ignores key order', () => {
    expect(stableStringify({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: null } })).toBe(stableStringify({ a: { c: null, d: [1, { x: 2, y: 1 }] }, b: 1 }));
  });
});
