import mainTeardown from '../../support/global-teardown';
import { deleteKeys, withAdmin } from './cleanup';

/** The main teardown (run database, run Bull prefix), then what the scenarios left if one was cut short. */
export default async function globalTeardown(): Promise<void> {
  await mainTeardown();
  const database = process.env.TEST_DATABASE_NAME;
  if (database && !process.env.KEEP_TEST_DATABASE) {
    await withAdmin(async (client) => {
      const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${database}\\_%`]);
      for (const row of rows) await client.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
    });
  }
  if (process.env.QUEUE_PREFIX) await deleteKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `${process.env.QUEUE_PREFIX}_*`);
}
