import 'reflect-metadata';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CleanupStack, messageOf } from './lib/cleanup';
import { BenchEnvironment, startEnvironment } from './lib/environment';
import { httpClientFor } from './lib/http';
import { runLoad } from './lib/load';
import { currentRssMegabytes, PeakRssSampler, startPeakRssSampler } from './lib/memory';
import { BenchResult, resultsOf, writeResults } from './lib/results';
import { BenchContext, Scenario } from './lib/scenario';
import { formatTable } from './lib/table';
import { chargeCreate } from './scenarios/charge-create';
import { webhookIngest } from './scenarios/webhook-ingest';

/** Every scenario, in run order. A new one is a file in bench/scenarios/ plus one entry here. */
const SCENARIOS: Scenario[] = [chargeCreate, webhookIngest];

const RESULTS_FILE = resolve(__dirname, '..', 'bench-results.json');
const DEFAULT_DURATION_SECONDS = 10;
// Far above a normal run (~1-2 min) yet under the 10 minutes a run may take: a stuck run still cleans up.
const RUN_DEADLINE_MS = 8 * 60 * 1000;

interface RunOptions {
  scenarios: Scenario[];
  durationSeconds: number;
}

class UsageError extends Error {}

/** Notes and errors of the run, printed as they happen and again at the end. */
class RunJournal {
  readonly notes: string[] = [];
  readonly errors: string[] = [];
  private abortExitCode: number | null = null;

  log(message: string): void {
    console.log(`[bench] ${message}`);
  }

  note(message: string): void {
    this.notes.push(message);
    console.log(`[bench] NOTE: ${message}`);
  }

  error(message: string): void {
    this.errors.push(message);
    console.error(`[bench] ERROR: ${message}`);
  }

  aborted(reason: string, exitCode: number): void {
    this.abortExitCode ??= exitCode;
    this.error(reason);
  }

  exitCode(): number {
    return this.abortExitCode ?? (this.errors.length > 0 ? 1 : 0);
  }
}

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2));
  const journal = new RunJournal();
  const cleanup = new CleanupStack();
  const startedAt = performance.now();
  const rss = startPeakRssSampler();
  const signal = abortOnDeadlineOrSignal(cleanup, journal);
  const results: BenchResult[] = [];
  try {
    const environment = await startEnvironment(cleanup);
    const idleRssMegabytes = currentRssMegabytes();
    journal.log(`app on ${environment.baseUrl}, database ${environment.databaseName}, Bull prefix ${environment.queuePrefix}`);
    results.push(...(await runScenarios(options, contextFor(environment, options, journal, signal), journal)));
    results.push(...runMetrics(rss, idleRssMegabytes, startedAt));
  } catch (error) {
    journal.error(`the run stopped: ${messageOf(error)}`);
  } finally {
    for (const failure of await cleanup.runAll()) journal.error(failure);
    rss.stop();
  }
  report(results, journal);
  return journal.exitCode();
}

function readOptions(args: string[]): RunOptions {
  const values = parseArguments(args);
  if (values.help) throw new UsageError('');
  return { scenarios: selectScenarios(values.scenario), durationSeconds: readDuration(values.duration) };
}

function parseArguments(args: string[]) {
  try {
    const options = { scenario: { type: 'string', multiple: true }, duration: { type: 'string' }, help: { type: 'boolean' } } as const;
    return parseArgs({ args, options }).values;
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

function selectScenarios(names: string[] | undefined): Scenario[] {
  if (!names || names.length === 0) return SCENARIOS;
  const requested = names.flatMap((name) => name.split(','));
  const unknown = requested.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) throw new UsageError(`unknown scenario: ${unknown.join(', ')}`);
  return SCENARIOS.filter((scenario) => requested.includes(scenario.name));
}

function readDuration(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_DURATION_SECONDS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) throw new UsageError(`--duration must be whole seconds from 1 to 60, got "${raw}"`);
  return seconds;
}

function usage(): string {
  const scenarios = SCENARIOS.map((scenario) => `  ${scenario.name.padEnd(16)} ${scenario.description}`).join('\n');
  return [
    'npm run bench [-- --scenario <name>[,<name>...]] [--duration <seconds>]',
    `  --duration   length of each measured load phase (default ${DEFAULT_DURATION_SECONDS})`,
    'scenarios (all by default):',
    scenarios,
  ].join('\n');
}

function contextFor(environment: BenchEnvironment, options: RunOptions, journal: RunJournal, signal: AbortSignal): BenchContext {
  return {
    baseUrl: environment.baseUrl,
    tokens: environment.tokens,
    sims: environment.sims,
    db: environment.db,
    http: httpClientFor(environment.baseUrl),
    load: (loadOptions) => runLoad(environment.baseUrl, loadOptions, signal),
    signal,
    durationSeconds: options.durationSeconds,
    note: (message) => journal.note(message),
    error: (message) => journal.error(message),
    log: (message) => journal.log(message),
  };
}

/** A scenario that throws is reported and the next one still runs. */
async function runScenarios(options: RunOptions, ctx: BenchContext, journal: RunJournal): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const scenario of options.scenarios) {
    if (ctx.signal.aborted) break;
    const startedAt = performance.now();
    try {
      results.push(...(await scenario.run(ctx)));
    } catch (error) {
      journal.error(`${scenario.name} failed: ${messageOf(error)}`);
    }
    journal.log(`${scenario.name} took ${secondsSince(startedAt).toFixed(1)} s`);
  }
  return results;
}

/** Peak RSS against the RSS right after start-up (app, simulators, nothing measured yet). */
function runMetrics(rss: PeakRssSampler, idleRssMegabytes: number, startedAt: number): BenchResult[] {
  const result = resultsOf('run');
  return [result('peak RSS vs after start-up', rss.peakMegabytes(), 'MB', idleRssMegabytes), result('wall time', secondsSince(startedAt), 's')];
}

function report(results: BenchResult[], journal: RunJournal): void {
  if (results.length > 0) console.log(`\n${formatTable(results)}\n`);
  writeResults(RESULTS_FILE, results);
  console.log(`[bench] results written to ${RESULTS_FILE}`);
  for (const note of journal.notes) console.log(`[bench] NOTE: ${note}`);
  if (journal.errors.length === 0) return;
  console.error(['', '!'.repeat(72), `!! BENCHMARK RUN HAD ${journal.errors.length} ERROR(S): its figures are not trustworthy`, ...journal.errors.map((e) => `!! - ${e}`), '!'.repeat(72)].join('\n'));
}

/**
 * A run past the deadline, or interrupted, stops its load, drops its database and Redis keys and exits on its
 * own: a stopped autocannon run never resolves, so the main flow may not get there.
 */
function abortOnDeadlineOrSignal(cleanup: CleanupStack, journal: RunJournal): AbortSignal {
  const controller = new AbortController();
  const abort = async (reason: string, exitCode: number) => {
    journal.aborted(reason, exitCode);
    controller.abort(new Error(reason));
    for (const failure of await cleanup.runAll()) journal.error(failure);
    process.exit(journal.exitCode());
  };
  setTimeout(() => void abort(`the run exceeded ${RUN_DEADLINE_MS / 60000} minutes and was stopped`, 1), RUN_DEADLINE_MS).unref();
  process.once('SIGINT', () => void abort('interrupted (SIGINT)', 130));
  process.once('SIGTERM', () => void abort('terminated (SIGTERM)', 143));
  return controller.signal;
}

function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    if (error instanceof UsageError && !error.message) {
      console.log(usage());
      process.exit(0);
    }
    if (error instanceof UsageError) {
      console.error(`bench: ${error.message}\n${usage()}`);
      process.exit(2);
    }
    console.error(`bench: ${messageOf(error)}`);
    process.exit(1);
  },
);
