import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bull';
import { QUEUES } from '../../common/queue/queues';
import { scheduleRepeatable } from '../../common/queue/repeatable-jobs';
import { ReminderOutcome, ReminderSender } from './reminder-sender.service';
import { PaymentReminderJob, ReminderScheduler, SCHEDULE_MISSING_REMINDERS_JOB, SEND_PAYMENT_REMINDER_JOB } from './reminder-scheduler';

@Processor(QUEUES.reminders)
export class RemindersProcessor {
  private readonly logger = new Logger('Reminders');

  constructor(
    private readonly sender: ReminderSender,
    private readonly scheduler: ReminderScheduler,
  ) {}

  @Process({ name: SEND_PAYMENT_REMINDER_JOB, concurrency: 4 })
  sendPaymentReminder(job: Job<PaymentReminderJob>): Promise<ReminderOutcome> {
    return this.sender.deliver(job.data);
  }

  @Process(SCHEDULE_MISSING_REMINDERS_JOB)
  async scheduleMissingReminders(): Promise<{ charges: number; reminders: number }> {
    const totals = await this.scheduler.sweep();
    this.logger.log({ msg: 'reminder sweep done', ...totals });
    return totals;
  }
}

@Injectable()
export class ReminderSchedules implements OnApplicationBootstrap {
  constructor(@InjectQueue(QUEUES.reminders) private readonly queue: Queue) {}

  onApplicationBootstrap(): Promise<void> {
    // Hourly: schedules what was missed while Redis was down, and offsets an account added since.
    return scheduleRepeatable(this.queue, [{ name: SCHEDULE_MISSING_REMINDERS_JOB, cron: '40 * * * *' }]);
  }
}
