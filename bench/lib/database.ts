import Redis from 'ioredis';
import { runMigrations } from '../../src/common/database/migrate';
import { databaseUrlFor, withAdminClient } from '../../test/support/test-database';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database on the machine's PostgreSQL (like the tests' global set-up), with the real migrations. */
export async function createBenchDatabase(runId: string): Promise<BenchDatabase> {
  const name = `payments_bench_${runId}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  const database = { name, url: databaseUrlFor(name), drop: () => dropDatabase(name) };
  try {
    await runMigrations(database.url);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Deletes every Bull key of the run (`<prefix>:*`). */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
