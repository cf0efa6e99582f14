import { differenceInCalendarDays, parse } from 'date-fns';
import { fromZonedTime } from 'date-fns-tz';
import { addDaysToDate, BUSINESS_TIME_ZONE } from '../domain/due-date';

/** Reminders go out at 09:00 in São Paulo: business hours for the customer, early enough to pay the same day. */
export const REMINDER_LOCAL_TIME = '09:00:00';

export interface PlannedReminder {
  offsetDays: number;
  at: Date;
}

/**
 * One Bull job id and one delivery row per charge, due date and offset: what makes scheduling and sending
 * idempotent. The due date is part of it because a retried charge gets a new one, and with it new reminders.
 */
export function reminderKey(chargeId: string, dueDate: string, offsetDays: number): string {
  return `reminder:${chargeId}:${dueDate}:${offsetDays}`;
}

/** The calendar day (America/Sao_Paulo) a reminder belongs to: due date + offset. */
export function reminderDay(dueDate: string, offsetDays: number): string {
  return addDaysToDate(dueDate, offsetDays);
}

export function reminderTime(dueDate: string, offsetDays: number): Date {
  return fromZonedTime(`${reminderDay(dueDate, offsetDays)}T${REMINDER_LOCAL_TIME}`, BUSINESS_TIME_ZONE);
}

/** The reminders still ahead of `now`, one per distinct offset, earliest first. */
export function plannedReminders(dueDate: string, offsets: readonly number[], now: Date): PlannedReminder[] {
  return [...new Set(offsets)]
    .sort((a, b) => a - b)
    .map((offsetDays) => ({ offsetDays, at: reminderTime(dueDate, offsetDays) }))
    .filter((reminder) => reminder.at.getTime() > now.getTime());
}

/** Calendar days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return differenceInCalendarDays(parseDate(to), parseDate(from));
}

function parseDate(date: string): Date {
  return parse(date, 'yyyy-MM-dd', new Date(2000, 0, 1));
}
