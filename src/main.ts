import 'reflect-metadata';
import { AppConfig, ConfigError, loadConfig } from './common/config/app-config';
import { startEmbeddedPostgres } from './common/database/embedded-postgres';
import { runMigrations } from './common/database/migrate';
import { checkRedis } from './common/queue/redis-check';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const redisProblem = await checkRedis(config.redisUrl);
  if (redisProblem) exitWith(redisProblem);
  const { databaseUrl, stopDatabase } = await resolveDatabase(config);
  const applied = await runMigrations(databaseUrl);
  if (applied.length > 0) console.log(JSON.stringify({ level: 'info', msg: 'migrations applied', migrations: applied }));
  const app = await createApp(config, databaseUrl);
  await app.listen(config.port);
  stopGracefully(async () => {
    await app.close();
    await stopDatabase();
  });
  console.log(JSON.stringify({ level: 'info', msg: `payments service listening on http://localhost:${config.port} (role ${config.processRole}); API docs at /docs` }));
}

function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
}

async function resolveDatabase(config: AppConfig): Promise<{ databaseUrl: string; stopDatabase: () => Promise<void> }> {
  if (config.databaseUrl) return { databaseUrl: config.databaseUrl, stopDatabase: async () => undefined };
  console.log(JSON.stringify({ level: 'info', msg: `DATABASE_URL is unset: starting the embedded PostgreSQL in ${config.embeddedPostgresDir} on port ${config.embeddedPostgresPort}` }));
  const embedded = await startEmbeddedPostgres(config.embeddedPostgresDir, config.embeddedPostgresPort);
  return { databaseUrl: embedded.databaseUrl, stopDatabase: () => embedded.stop() };
}

function stopGracefully(shutdown: () => Promise<void>): void {
  const onSignal = () => void shutdown().finally(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

function exitWith(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`Start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
