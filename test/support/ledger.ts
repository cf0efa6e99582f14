import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { checkLedger, LedgerViolation } from '../../src/refunds/ledger/ledger-check';
import { TestApp } from './test-app';

/** The money invariants over the run's database, in-process. */
export function ledgerViolations(t: TestApp): Promise<LedgerViolation[]> {
  return checkLedger(t.dataSource);
}

/** `npm run check:ledger` exactly as an operator runs it, against the run's database. */
export function runCheckLedgerScript(): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/check-ledger.ts'], {
    cwd: resolve(__dirname, '../..'),
    env: { PATH: process.env.PATH, DATABASE_URL: process.env.DATABASE_URL },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
