/** Longest wait between two attempts, whatever the number of failures. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

export interface RetryPolicy {
  baseDelayMs: number;
  giveUpAfterMs: number;
}

export type NextStep = { kind: 'retry'; delayMs: number } | { kind: 'give_up' };

/** Wait after the n-th consecutive failure: base, 2 x base, 4 x base... capped at one hour. */
export function retryDelayMs(consecutiveFailures: number, baseDelayMs: number): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  return Math.min(baseDelayMs * 2 ** Math.min(exponent, 40), MAX_RETRY_DELAY_MS);
}

/** After a failed attempt: retry with backoff, or give up once the retry window is older than the limit. */
export function nextStepAfterFailure(policy: RetryPolicy, consecutiveFailures: number, windowAgeMs: number): NextStep {
  if (windowAgeMs > policy.giveUpAfterMs) return { kind: 'give_up' };
  return { kind: 'retry', delayMs: retryDelayMs(consecutiveFailures, policy.baseDelayMs) };
}
