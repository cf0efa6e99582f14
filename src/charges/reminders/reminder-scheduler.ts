import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { JobOptions, Queue } from 'bull';
import { AccountsService } from '../../accounts/accounts.service';
import { QUEUES } from '../../common/queue/queues';
import { ChargesRepository } from '../charges.repository';
import { Charge } from '../charge.entity';
import { isOpen } from '../domain/charge-status';
import { addDaysToDate, todayInSaoPaulo } from '../domain/due-date';
import { ReminderDeliveriesRepository } from './reminder-deliveries.repository';
import { plannedReminders, reminderKey } from './reminder-schedule';

export const SEND_PAYMENT_REMINDER_JOB = 'send-payment-reminder';
export const SCHEDULE_MISSING_REMINDERS_JOB = 'schedule-missing-reminders';

export interface PaymentReminderJob {
  chargeId: string;
  /** The due date it was planned against: a reminder for a due date the charge no longer has is skipped. */
  dueDate: string;
  offsetDays: number;
  /** When it was planned for, for operators reading the queue; the processor re-derives the day from the charge. */
  remindAt: string;
}

type ReminderTarget = Pick<Charge, 'id' | 'dueDate'>;

// Bull's add waits for Redis indefinitely; a request must not.
const SCHEDULING_TIMEOUT_MS = 2000;
// Offsets accepted by PATCH /v1/account/settings go up to +60 days: older due dates have nothing left to remind.
const LATEST_OFFSET_DAYS = 60;
const SWEEP_PAGE_SIZE = 500;
// Platform errors retry at 30 s, 1, 2, 4 and 8 min: past the sending lease, within the reminder's morning.
const JOB_OPTIONS: JobOptions = { attempts: 6, backoff: { type: 'exponential', delay: 30_000 } };

/**
 * Puts one delayed job per future reminder of an open charge with a conversation. The job id is derived from
 * charge, due date and offset, so scheduling again (creation and send, several instances, the sweep) adds nothing.
 */
@Injectable()
export class ReminderScheduler {
  private readonly logger = new Logger('Reminders');

  constructor(
    @InjectQueue(QUEUES.reminders) private readonly queue: Queue,
    private readonly charges: ChargesRepository,
    private readonly accounts: AccountsService,
    private readonly deliveries: ReminderDeliveriesRepository,
  ) {}

  /** Never throws: a charge whose reminders cannot be scheduled now (Redis down) is picked up by the hourly sweep. */
  async scheduleFor(chargeId: string): Promise<void> {
    try {
      await withTimeout(this.scheduleCharge(chargeId), SCHEDULING_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn({ msg: 'reminders not scheduled now; the hourly sweep will retry', chargeId, reason: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Schedules whatever is missing for every open charge with a conversation; also applies changed account offsets. */
  async sweep(now = new Date()): Promise<{ charges: number; reminders: number }> {
    const offsetsByAccount = new Map<string, readonly number[]>();
    const dueFrom = addDaysToDate(todayInSaoPaulo(now), -LATEST_OFFSET_DAYS);
    const totals = { charges: 0, reminders: 0 };
    for (let afterSeq = '0'; ; ) {
      const page = await this.deliveries.findCandidates(afterSeq, dueFrom, SWEEP_PAGE_SIZE);
      for (const candidate of page) totals.reminders += await this.schedule(candidate, await this.offsetsFor(candidate.accountId, offsetsByAccount), now);
      totals.charges += page.length;
      if (page.length < SWEEP_PAGE_SIZE) return totals;
      afterSeq = page[page.length - 1].seq;
    }
  }

  private async scheduleCharge(chargeId: string): Promise<void> {
    const charge = await this.charges.findById(chargeId);
    if (!charge || !isOpen(charge.status) || !charge.conversationId) return;
    await this.schedule(charge, (await this.accounts.settings(charge.accountId)).reminderOffsetsDays, new Date());
  }

  private async schedule(target: ReminderTarget, offsets: readonly number[], now: Date): Promise<number> {
    const planned = plannedReminders(target.dueDate, offsets, now);
    await Promise.all(
      planned.map(({ offsetDays, at }) => {
        const data: PaymentReminderJob = { chargeId: target.id, dueDate: target.dueDate, offsetDays, remindAt: at.toISOString() };
        return this.queue.add(SEND_PAYMENT_REMINDER_JOB, data, { ...JOB_OPTIONS, jobId: reminderKey(target.id, target.dueDate, offsetDays), delay: at.getTime() - now.getTime() });
      }),
    );
    return planned.length;
  }

  private async offsetsFor(accountId: string, cache: Map<string, readonly number[]>): Promise<readonly number[]> {
    if (!cache.has(accountId)) cache.set(accountId, (await this.accounts.settings(accountId)).reminderOffsetsDays);
    return cache.get(accountId)!;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}
