import { getQueueToken } from '@nestjs/bull';
import { Queue } from 'bull';
import { checkRedis } from '../../../src/common/queue/redis-check';
import { JobProcessorCheck } from '../../../src/common/queue/job-processor.check';
import { JOBS } from '../../../src/common/queue/queues';
import { startTestApp, TestApp } from '../../support/test-app';

describe('queues', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(() => t.close());

  it('finds exactly one processor per job in a worker process', () => {
    const handlers = t.app.get(JobProcessorCheck).collectHandlers();
    const declared = Object.entries(JOBS).flatMap(([queue, jobs]) => jobs.map((job) => [`${queue}:${job}`, 1]));
    expect([...handlers].sort()).toEqual(declared.sort());
  });

  it('runs a job on the real Redis and purges old idempotency records', async () => {
    await t.dataSource.query(`INSERT INTO accounts (id) VALUES ('acc_purge') ON CONFLICT DO NOTHING`);
    await t.dataSource.query(
      `INSERT INTO idempotency_records (account_id, idempotency_key, scope, request_hash, state, locked_until, created_at)
       VALUES ('acc_purge', 'old', 'POST /x', repeat('a', 64), 'completed', now(), now() - interval '2 days'),
              ('acc_purge', 'new', 'POST /x', repeat('a', 64), 'completed', now(), now())`,
    );
    const queue = t.app.get<Queue>(getQueueToken('maintenance'));
    const job = await queue.add('purge-idempotency-records', {});
    const result = await job.finished();
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    const keys: Array<{ idempotency_key: string }> = await t.dataSource.query(`SELECT idempotency_key FROM idempotency_records WHERE account_id = 'acc_purge'`);
    expect(keys.map((row) => row.idempotency_key)).toEqual(['new']);
  });

  it('schedules the purge as one repeatable job however many instances start', async () => {
    const second = await startTestApp();
    try {
      const repeatables = await t.app.get<Queue>(getQueueToken('maintenance')).getRepeatableJobs();
      expect(repeatables.filter((job) => job.name === 'purge-idempotency-records')).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('an api-only process registers no processors', async () => {
    const api = await startTestApp({ PROCESS_ROLE: 'api' });
    try {
      expect(() => api.app.get(JobProcessorCheck)).toThrow();
      await api.http.get('/health').expect(200);
    } finally {
      await api.close();
    }
  });

  it('says how to start Redis when it is unreachable', async () => {
    const message = await checkRedis('redis://127.0.0.1:1', 500);
    expect(message).toMatch(/^Redis is unreachable at redis:\/\/127\.0\.0\.1:1.*docker compose up -d redis.*redis-server/);
    expect(await checkRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')).toBeNull();
  });
});
