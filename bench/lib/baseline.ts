import { describeOutcomes, LoadResult } from './load';
import { BenchContext } from './scenario';

export const BASELINE_CONNECTIONS = 20;
export const WARMUP_SECONDS = 2;

export interface Baseline {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * The reference scenarios divide by: authenticated `GET /v1/account` (JWT check, module guard, one indexed
 * read), measured in the same run right next to the scenario's own load so that machine noise hits both.
 */
export async function measureAccountBaseline(ctx: BenchContext, scenario: string, token: string, when: string): Promise<LoadResult> {
  ctx.log(`${scenario}: baseline GET /v1/account ${when}, ${BASELINE_CONNECTIONS} connections, ${ctx.durationSeconds} s`);
  const baseline = await ctx.load({ path: '/v1/account', token, connections: BASELINE_CONNECTIONS, durationSeconds: ctx.durationSeconds, warmupSeconds: WARMUP_SECONDS });
  reportFailures(ctx, `${scenario}: baseline GET /v1/account ${when}`, baseline);
  return baseline;
}

/** A baseline measured before and after the load it brackets: the mean cancels a steady drift of the machine. */
export function bracket(before: LoadResult, after: LoadResult): Baseline {
  const mean = (pick: (result: LoadResult) => number) => (pick(before) + pick(after)) / 2;
  return { requestsPerSecond: mean((r) => r.requestsPerSecond), p50Ms: mean((r) => r.p50Ms), p99Ms: mean((r) => r.p99Ms) };
}

/** Any non-2xx, connection error or timeout, warm-up included, makes the run fail. */
export function reportFailures(ctx: BenchContext, phase: string, result: LoadResult): void {
  if (result.failures > 0) {
    const total = result.successes + result.failures;
    ctx.error(`${phase}: ${result.failures} of ${total} requests failed (${describeOutcomes(result)})`);
  }
  if (result.warmupFailures > 0) ctx.error(`${phase}: ${result.warmupFailures} requests failed during the warm-up`);
}
