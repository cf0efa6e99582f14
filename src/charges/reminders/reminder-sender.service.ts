import { Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '../../accounts/accounts.service';
import { ChargesRepository } from '../charges.repository';
import { Charge } from '../charge.entity';
import { isOpen } from '../domain/charge-status';
import { todayInSaoPaulo } from '../domain/due-date';
import { CustomersService } from '../customers/customers.service';
import { ConversationClient } from '../send/conversation.client';
import { ReminderDeliveriesRepository, ReminderRecipient } from './reminder-deliveries.repository';
import { buildReminderMessage } from './reminder-message';
import { reminderDay, reminderKey } from './reminder-schedule';
import { PaymentReminderJob } from './reminder-scheduler';

export type DueReminder = Pick<PaymentReminderJob, 'chargeId' | 'dueDate' | 'offsetDays'>;

export type ReminderOutcome =
  | { outcome: 'sent'; messageId: string; platformMessageId: string | null; attempt: number }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'already_sent' | 'already_skipped'; messageId: string };

/** Another worker holds the reminder (or crashed holding it): the job retries after the lease. */
export class ReminderInProgressError extends Error {}

/**
 * Sends a reminder when its job fires. One delivery row per charge, due date and offset is claimed before posting,
 * and its id is the Idempotency-Key of every post, so a retry can never become a second message the platform cannot
 * recognise. The charge is re-read: one paid, canceled or otherwise closed since scheduling is skipped, and why is recorded.
 */
@Injectable()
export class ReminderSender {
  private readonly logger = new Logger('Reminders');

  constructor(
    private readonly charges: ChargesRepository,
    private readonly customers: CustomersService,
    private readonly accounts: AccountsService,
    private readonly conversations: ConversationClient,
    private readonly deliveries: ReminderDeliveriesRepository,
  ) {}

  async deliver(reminder: DueReminder, now = new Date()): Promise<ReminderOutcome> {
    const key = reminderKey(reminder.chargeId, reminder.dueDate, reminder.offsetDays);
    const charge = await this.charges.findById(reminder.chargeId);
    const reason = await this.skipReason(charge, reminder, todayInSaoPaulo(now));
    if (reason) return this.skip(charge, key, reason);
    return this.post(charge!, key, now);
  }

  private async skipReason(charge: Charge | null, reminder: DueReminder, today: string): Promise<string | null> {
    if (!charge) return 'charge_not_found';
    if (!isOpen(charge.status)) return `charge_${charge.status}`;
    if (!charge.conversationId) return 'no_conversation';
    if (charge.dueDate !== reminder.dueDate) return 'due_date_changed';
    if (!(await this.accounts.settings(charge.accountId)).reminderOffsetsDays.includes(reminder.offsetDays)) return 'offset_not_configured';
    // A job run late (workers down over midnight) would duplicate the next day's reminder with stale wording.
    if (reminderDay(charge.dueDate, reminder.offsetDays) < today) return 'reminder_day_passed';
    return null;
  }

  private async skip(charge: Charge | null, key: string, reason: string): Promise<ReminderOutcome> {
    if (charge?.conversationId) await this.deliveries.recordSkipped(recipientOf(charge), key, reason);
    this.logger.log({ msg: 'reminder skipped', key, reason });
    return { outcome: 'skipped', reason };
  }

  private async post(charge: Charge, key: string, now: Date): Promise<ReminderOutcome> {
    const message = buildReminderMessage(charge, (await this.customers.require(charge.customerId)).name, todayInSaoPaulo(now), now);
    const claim = await this.deliveries.claim(recipientOf(charge), key);
    if (claim.state === 'in_progress') throw new ReminderInProgressError(`reminder ${key} is being sent by another worker (message ${claim.messageId})`);
    if (claim.state !== 'claimed') return { outcome: `already_${claim.state}`, messageId: claim.messageId };
    try {
      // The row id is the Idempotency-Key: a re-post after a crash or a failed attempt carries the same key.
      const platformMessageId = await this.conversations.post(claim.conversationId, message, claim.messageId);
      await this.deliveries.markSent(claim.messageId, platformMessageId);
      this.logger.log({ msg: 'reminder sent', key, messageId: claim.messageId, attempt: claim.attempt });
      return { outcome: 'sent', messageId: claim.messageId, platformMessageId, attempt: claim.attempt };
    } catch (error) {
      await this.deliveries.markFailed(claim.messageId, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }
}

function recipientOf(charge: Charge): ReminderRecipient {
  return { chargeId: charge.id, accountId: charge.accountId, conversationId: charge.conversationId! };
}
