/**
 * Every queue and job name in one place. The start-up check (job-processor.check.ts) proves that each job
 * here has exactly one processor in worker processes.
 */
export const QUEUES = {
  maintenance: 'maintenance',
  charges: 'charges',
  outbound: 'outbound',
  webhooks: 'webhooks',
  reminders: 'reminders',
  refunds: 'refunds',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS: Record<QueueName, readonly string[]> = {
  [QUEUES.maintenance]: ['purge-idempotency-records'],
  [QUEUES.charges]: ['recover-pending-charges', 'mark-overdue-charges'],
  [QUEUES.webhooks]: ['process-webhook-event', 'requeue-stalled-webhooks', 'reconcile-open-charges'],
  [QUEUES.outbound]: ['dispatch-outbound-events', 'deliver-outbound-event'],
  [QUEUES.refunds]: ['settle-pending-refunds'],
  [QUEUES.reminders]: ['send-payment-reminder', 'schedule-missing-reminders'],
};
