import { writeFileSync } from 'node:fs';

/** One line of `bench-results.json`; `ratio` is value ÷ baseline, both measured in the same run. */
export interface BenchResult {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
}

/** Builds the results of one scenario: `result('charges/s', 120, 'req/s', 400)` gets ratio 0.3. */
export function resultsOf(scenario: string) {
  return (metric: string, value: number, unit: string, baseline: number | null = null): BenchResult => ({
    scenario,
    metric,
    value: round(value, 2),
    unit,
    baseline: baseline === null ? null : round(baseline, 2),
    ratio: ratioOf(value, baseline),
  });
}

function ratioOf(value: number, baseline: number | null): number | null {
  if (baseline === null || !Number.isFinite(baseline) || baseline === 0 || !Number.isFinite(value)) return null;
  return round(value / baseline, 3);
}

function round(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function writeResults(path: string, results: BenchResult[]): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
