import autocannon from 'autocannon';

export interface LoadOptions {
  method?: 'GET' | 'POST';
  path: string;
  token: string;
  body?: unknown;
  connections: number;
  durationSeconds: number;
  /** An unmeasured run first, so JIT, pools and caches are warm when measuring. */
  warmupSeconds?: number;
  /** Every request gets its own `Idempotency-Key`, so each POST creates something. */
  uniqueIdempotencyKey?: boolean;
}

export interface LoadResult {
  /** Completed responses per second, whatever their status. */
  requestsPerSecond: number;
  /** 2xx responses per second. */
  successesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  successes: number;
  /** Non-2xx responses, connection errors and timeouts. */
  failures: number;
  /** The same, during the unmeasured warm-up. */
  warmupFailures: number;
  /** Count per HTTP status, plus "connection errors" and "timeouts" when there were any. */
  outcomes: Record<string, number>;
  durationSeconds: number;
}

// The load generator runs in a worker thread: on the same event loop as the in-process app it would steal the
// app's CPU time and make every figure depend on autocannon's own cost.
export const LOAD_GENERATOR_WORKERS = 1;
export const REQUEST_TIMEOUT_SECONDS = 30;

/** `signal` stops a run in flight (deadline or Ctrl-C); an aborted run never resolves. */
export async function runLoad(baseUrl: string, options: LoadOptions, signal?: AbortSignal): Promise<LoadResult> {
  const warmup = options.warmupSeconds ? await fire(autocannonOptions(baseUrl, { ...options, durationSeconds: options.warmupSeconds }), signal) : null;
  const measured = await fire(autocannonOptions(baseUrl, options), signal);
  return { ...summarize(measured), warmupFailures: warmup ? failuresOf(warmup) : 0 };
}

export function fire(options: autocannon.Options, signal?: AbortSignal): Promise<autocannon.Result> {
  signal?.throwIfAborted();
  const instance = autocannon(options);
  const stop = () => instance.stop();
  signal?.addEventListener('abort', stop, { once: true });
  return Promise.resolve(instance).finally(() => signal?.removeEventListener('abort', stop));
}

function autocannonOptions(baseUrl: string, options: LoadOptions): autocannon.Options {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  // autocannon puts a fresh id in place of [<id>] for every request it sends (works across worker threads).
  if (options.uniqueIdempotencyKey) headers['idempotency-key'] = 'bench-[<id>]';
  return {
    url: `${baseUrl}${options.path}`,
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    idReplacement: options.uniqueIdempotencyKey ?? false,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: REQUEST_TIMEOUT_SECONDS,
    workers: LOAD_GENERATOR_WORKERS,
  };
}

export function summarize(result: autocannon.Result): Omit<LoadResult, 'warmupFailures'> {
  const successes = result['2xx'];
  return {
    requestsPerSecond: result.requests.total / result.duration,
    successesPerSecond: successes / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    successes,
    failures: failuresOf(result),
    outcomes: outcomesOf(result),
    durationSeconds: result.duration,
  };
}

function failuresOf(result: autocannon.Result): number {
  // autocannon counts a timeout as an error too.
  return result.non2xx + result.errors;
}

function outcomesOf(result: autocannon.Result): Record<string, number> {
  const outcomes: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) outcomes[status] = count;
  const connectionErrors = result.errors - result.timeouts;
  if (connectionErrors > 0) outcomes['connection errors'] = connectionErrors;
  if (result.timeouts > 0) outcomes.timeouts = result.timeouts;
  return outcomes;
}

/** "201: 980, 500: 3, timeouts: 1" */
export function describeOutcomes(result: LoadResult): string {
  return Object.entries(result.outcomes)
    .map(([outcome, count]) => `${outcome}: ${count}`)
    .join(', ');
}
