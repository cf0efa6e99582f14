import { runMigrations } from '../../src/common/database/migrate';
import { databaseUrlFor, withAdminClient } from './test-database';

/** One database per test run, migrated with the real migrations; one Bull prefix per run. */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const databaseName = `payments_test_${runId}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${databaseName}`));
  const databaseUrl = databaseUrlFor(databaseName);
  await runMigrations(databaseUrl);
  process.env.TEST_DATABASE_NAME = databaseName;
  process.env.DATABASE_URL = databaseUrl;
  process.env.QUEUE_PREFIX = `payments_test_${runId}`;
}
