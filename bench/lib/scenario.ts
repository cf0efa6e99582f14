import { Pool } from 'pg';
import { Simulators } from '../../test/support/simulators';
import { HttpClient } from './http';
import { LoadOptions, LoadResult } from './load';
import { BenchResult } from './results';
import { Tokens } from './tokens';

/** One benchmark: a file in bench/scenarios/, registered in the SCENARIOS list of bench/run.ts. */
export interface Scenario {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

export interface BenchContext {
  /** The app under test, e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  tokens: Tokens;
  /** Local Asaas and Mercado Pago; they answer the app's gateway calls. */
  sims: Simulators;
  /** A small pool on the run's database, for set-up or checks done in SQL. */
  db: Pool;
  http: HttpClient;
  /** autocannon against `baseUrl`. */
  load(options: LoadOptions): Promise<LoadResult>;
  /** Aborted when the run is interrupted or passes its deadline. */
  signal: AbortSignal;
  /** Length of one measured load phase (`--duration`, default 10 s). */
  durationSeconds: number;
  /** Printed now and again in the summary. */
  note(message: string): void;
  /** Printed now and in the summary's error banner; the run exits with 1. */
  error(message: string): void;
  /** Progress line. */
  log(message: string): void;
}
