import { MAX_RETRY_DELAY_MS, nextStepAfterFailure, retryDelayMs } from '../../../src/webhooks/outbound/outbound-retry-policy';

const HOUR = 3_600_000;

describe('outbound retry policy', () => {
  it('doubles the wait from the base after each consecutive failure', () => {
    expect([1, 2, 3, 4, 5].map((failures) => retryDelayMs(failures, 10_000))).toEqual([10_000, 20_000, 40_000, 80_000, 160_000]);
    expect([1, 2, 3].map((failures) => retryDelayMs(failures, 50))).toEqual([50, 100, 200]);
  });

  it('never waits more than an hour, however many failures', () => {
    expect(retryDelayMs(9, 10_000)).toBe(2_560_000);
    expect(retryDelayMs(10, 10_000)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1_000, 10_000)).toBe(MAX_RETRY_DELAY_MS);
    expect(MAX_RETRY_DELAY_MS).toBe(HOUR);
  });

  it('retries for more than a day with the defaults before giving up', () => {
    const policy = { baseDelayMs: 10_000, giveUpAfterMs: 26 * HOUR };
    let ageMs = 0;
    let failures = 0;
    for (;;) {
      failures += 1;
      const step = nextStepAfterFailure(policy, failures, ageMs);
      if (step.kind === 'give_up') break;
      ageMs += step.delayMs;
    }
    expect(ageMs).toBeGreaterThan(26 * HOUR);
    expect(ageMs).toBeLessThanOrEqual(27 * HOUR);
    // 9 doubling waits (10 s to ~43 min, 1h25m in all), then hourly: the 35th attempt, at ~26h13m, is the last.
    expect(failures).toBe(35);
  });

  it('gives up only once the retry window is older than the limit', () => {
    const policy = { baseDelayMs: 10_000, giveUpAfterMs: 26 * HOUR };
    expect(nextStepAfterFailure(policy, 30, 26 * HOUR)).toEqual({ kind: 'retry', delayMs: HOUR });
    expect(nextStepAfterFailure(policy, 30, 26 * HOUR + 1)).toEqual({ kind: 'give_up' });
    expect(nextStepAfterFailure(policy, 1, 26 * HOUR + 1)).toEqual({ kind: 'give_up' });
  });
});
