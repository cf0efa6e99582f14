import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Pool } from 'pg';
import { createApp } from '../../src/bootstrap';
import { generateEncryptionKey, loadConfig } from '../../src/common/config/app-config';
import { checkRedis } from '../../src/common/queue/redis-check';
import { startSimulators, Simulators } from '../../test/support/simulators';
import { CleanupStack } from './cleanup';
import { createBenchDatabase, deleteRedisKeys } from './database';
import { Tokens, tokensSignedWith } from './tokens';

export interface BenchEnvironment {
  baseUrl: string;
  sims: Simulators;
  db: Pool;
  tokens: Tokens;
  databaseName: string;
  queuePrefix: string;
}

/**
 * The app in this process on its own database and Bull prefix, with the gateway simulators; every piece is
 * registered on `cleanup` as soon as it exists, so a failure half-way still drops the database and the keys.
 */
export async function startEnvironment(cleanup: CleanupStack): Promise<BenchEnvironment> {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisProblem = await checkRedis(redisUrl);
  if (redisProblem) throw new Error(redisProblem);
  const queuePrefix = `payments_bench_${runId}`;
  cleanup.push(`delete Redis keys ${queuePrefix}:*`, () => deleteRedisKeys(redisUrl, queuePrefix));
  const database = await createBenchDatabase(runId);
  cleanup.push(`drop database ${database.name}`, () => database.drop());
  const sims = await startSimulators();
  cleanup.push('stop the gateway simulators', () => sims.stop());
  const secret = randomBytes(32).toString('hex');
  const app = await startApp({ ...sims.env, REDIS_URL: redisUrl, QUEUE_PREFIX: queuePrefix, AUTH_JWT_SECRET: secret, DATABASE_URL: database.url }, cleanup);
  const db = new Pool({ connectionString: database.url, max: 2 });
  cleanup.push('close the bench database pool', () => db.end());
  return { baseUrl: app.baseUrl, sims, db, tokens: tokensSignedWith(secret), databaseName: database.name, queuePrefix };
}

async function startApp(env: Record<string, string>, cleanup: CleanupStack): Promise<{ app: INestApplication; baseUrl: string }> {
  // The port is chosen before start-up because the app puts its public URL in the webhook URLs it registers
  // with the gateways, and the simulators deliver webhooks there.
  const port = await freeLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    ...process.env,
    ...env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PROCESS_ROLE: 'all',
    PORT: String(port),
    PUBLIC_BASE_URL: baseUrl,
    CREDENTIALS_ENCRYPTION_KEY: `bench:${generateEncryptionKey()}`,
  });
  const app = await createApp(config, env.DATABASE_URL);
  cleanup.push('close the app', () => app.close());
  await app.listen(port, '127.0.0.1');
  return { app, baseUrl };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
