import { Queue } from 'bull';

export const PROCESS_WEBHOOK_JOB = 'process-webhook-event';
const ATTEMPTS = 8;

/** One job per inbox row; the row id as job id makes enqueueing twice a no-op. */
export async function enqueueWebhookProcessing(queue: Queue, inboxId: string): Promise<void> {
  await queue.add(PROCESS_WEBHOOK_JOB, { inboxId }, { jobId: `webhook:${inboxId}`, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 });
}
