import { Client } from 'pg';
import { checkLedger, ledgerCheckNames } from '../src/refunds/ledger/ledger-check';

/** npm run check:ledger: verifies the money invariants on DATABASE_URL; exits 1 on any violation. */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required (the database to check)');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const violations = await checkLedger(client);
    for (const name of ledgerCheckNames()) {
      const found = violations.filter((violation) => violation.check === name);
      console.log(`${found.length === 0 ? 'ok  ' : 'FAIL'} ${name}`);
      for (const violation of found.slice(0, 20)) console.log(`       ${violation.subject}: ${violation.detail}`);
    }
    console.log(violations.length === 0 ? 'ledger clean' : `${violations.length} violation(s)`);
    process.exitCode = violations.length === 0 ? 0 : 1;
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
