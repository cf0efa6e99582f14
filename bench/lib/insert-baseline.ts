import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { percentile } from './percentile';

export interface InsertBaselineOptions {
  databaseUrl: string;
  /** Connections of the pool, as the app's own (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** Concurrent callers, as the HTTP connections of the load it is compared with. */
  concurrency: number;
}

export interface InsertBaseline {
  insertsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Keys that made a row. */
  inserted: number;
  /** Keys that hit ON CONFLICT DO NOTHING. */
  conflicts: number;
  failures: number;
  firstError: string | null;
}

/**
 * The floor a durable "store it unless already stored" step can reach on this machine: one single-row
 * `INSERT ... ON CONFLICT DO NOTHING` per key, through a pg Pool of `poolSize`, from `concurrency` callers,
 * on a throw-away table of the same database. `keys` in order, repeats included, each inserted once.
 */
export async function measureInsertBaseline(keys: string[], options: InsertBaselineOptions): Promise<InsertBaseline> {
  const table = `bench_baseline_${randomBytes(4).toString('hex')}`;
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  try {
    await pool.query(`CREATE TABLE ${table} (k varchar(200) PRIMARY KEY)`);
    try {
      await openAllConnections(pool, options.poolSize);
      return await insertAll(pool, table, keys, options.concurrency);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${table}`);
    }
  } finally {
    await pool.end();
  }
}

/** The app's pool is warm when it is measured; so is this one. */
async function openAllConnections(pool: Pool, size: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  for (const client of clients) client.release();
}

async function insertAll(pool: Pool, table: string, keys: string[], concurrency: number): Promise<InsertBaseline> {
  const sql = `INSERT INTO ${table} (k) VALUES ($1) ON CONFLICT DO NOTHING`;
  const latencies: number[] = [];
  let next = 0;
  let inserted = 0;
  let conflicts = 0;
  let failures = 0;
  let firstError: string | null = null;
  const worker = async () => {
    for (let index = next++; index < keys.length; index = next++) {
      const started = performance.now();
      try {
        const result = await pool.query(sql, [keys[index]]);
        if (result.rowCount === 1) inserted += 1;
        else conflicts += 1;
      } catch (error) {
        failures += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { insertsPerSecond: keys.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), inserted, conflicts, failures, firstError };
}
