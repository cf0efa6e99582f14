export interface PeakRssSampler {
  peakMegabytes(): number;
  stop(): void;
}

/** Samples the process RSS every `intervalMs`; autocannon's worker threads count too (same process). */
export function startPeakRssSampler(intervalMs = 100): PeakRssSampler {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, intervalMs);
  timer.unref();
  return {
    peakMegabytes: () => Math.max(peak, process.memoryUsage().rss) / (1024 * 1024),
    stop: () => clearInterval(timer),
  };
}

export function currentRssMegabytes(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}
