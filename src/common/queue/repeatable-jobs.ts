import { Queue } from 'bull';

export interface RepeatableJob {
  name: string;
  cron?: string;
  everyMs?: number;
}

/**
 * Registers repeatable jobs. Bull keys a repeatable job by name and schedule, so every instance registering
 * the same schedule yields one run per period across all instances, never one per process.
 */
export async function scheduleRepeatable(queue: Queue, jobs: RepeatableJob[]): Promise<void> {
  for (const job of jobs) {
    const repeat = job.cron ? { cron: job.cron, tz: 'America/Sao_Paulo' } : { every: job.everyMs! };
    await queue.add(job.name, {}, { repeat, jobId: `repeat:${job.name}`, removeOnComplete: 100, removeOnFail: 100 });
  }
}
