import Redis from 'ioredis';
import { withAdminClient } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const databaseName = process.env.TEST_DATABASE_NAME;
  if (databaseName && !process.env.KEEP_TEST_DATABASE) {
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`));
  }
  await deleteQueueKeys(process.env.QUEUE_PREFIX);
}

async function deleteQueueKeys(prefix: string | undefined): Promise<void> {
  if (!prefix) return;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
