import { loadConfig } from '../src/common/config/app-config';
import { runMigrations } from '../src/common/database/migrate';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  if (!databaseUrl) throw new Error('DATABASE_URL is required to run migrations by hand (npm start migrates the embedded database itself)');
  const applied = await runMigrations(databaseUrl);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
