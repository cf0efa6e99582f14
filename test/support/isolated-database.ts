import { randomBytes } from 'node:crypto';
import { runMigrations } from '../../src/common/database/migrate';
import { startTestApp, TestApp } from './test-app';
import { databaseUrlFor, withAdminClient } from './test-database';

/**
 * A database (and Bull key prefix) of its own for one test file, next to the run's shared one.
 *
 * The fuzz tests drive the app into states that known, reported bugs leave inconsistent; the other suites check
 * the ledger over the whole shared database after every test, so those states must not land there. The prefix
 * `<run prefix>:<label>` keeps this file's jobs away from other files' workers and is still removed by the
 * global teardown (it deletes `<run prefix>:*`).
 */
export interface IsolatedDatabase {
  databaseUrl: string;
  /** Environment for startTestApp/startReachableApp: this file's Bull prefix. */
  env: Record<string, string>;
  /** Runs `start` with DATABASE_URL pointing here (createApp reads it when the app is built). */
  startApp(start: (env: Record<string, string>) => Promise<TestApp>): Promise<TestApp>;
  drop(): Promise<void>;
}

export async function isolatedDatabase(label: string): Promise<IsolatedDatabase> {
  const base = process.env.TEST_DATABASE_NAME ?? 'payments_test';
  const name = `${base}_${label}_${randomBytes(3).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  const databaseUrl = databaseUrlFor(name);
  await runMigrations(databaseUrl);
  const env = { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'payments_test'}:${label}` };
  return {
    databaseUrl,
    env,
    async startApp(start) {
      const shared = process.env.DATABASE_URL;
      process.env.DATABASE_URL = databaseUrl;
      try {
        return await start(env);
      } finally {
        process.env.DATABASE_URL = shared;
      }
    },
    async drop() {
      if (process.env.KEEP_TEST_DATABASE) return;
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** startTestApp on an isolated database. */
export function startIsolatedTestApp(database: IsolatedDatabase, env: Record<string, string> = {}): Promise<TestApp> {
  return database.startApp((isolation) => startTestApp({ ...env, ...isolation }));
}
