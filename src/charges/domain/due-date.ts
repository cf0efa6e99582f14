import { addDays, addMonths, format, isValid, parse } from 'date-fns';
import { formatInTimeZone } from 'date-fns-tz';

export const BUSINESS_TIME_ZONE = 'America/Sao_Paulo';
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Today as a calendar date in America/Sao_Paulo (YYYY-MM-DD), whatever the server's time zone. */
export function todayInSaoPaulo(now: Date = new Date()): string {
  return formatInTimeZone(now, BUSINESS_TIME_ZONE, 'yyyy-MM-dd');
}

export function isCalendarDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  const parsed = parse(value, 'yyyy-MM-dd', new Date(2000, 0, 1));
  return isValid(parsed) && format(parsed, 'yyyy-MM-dd') === value;
}

/** Calendar date plus whole months, clamped to the month's end (Jan 31 + 1 month = Feb 28). */
export function addMonthsToDate(date: string, months: number): string {
  return format(addMonths(parse(date, 'yyyy-MM-dd', new Date(2000, 0, 1)), months), 'yyyy-MM-dd');
}

export function addDaysToDate(date: string, days: number): string {
  return format(addDays(parse(date, 'yyyy-MM-dd', new Date(2000, 0, 1)), days), 'yyyy-MM-dd');
}

/** "30/11/2026" for pt-BR messages. */
export function formatDatePtBr(date: string): string {
  const [year, month, day] = date.split('-');
  return `${day}/${month}/${year}`;
}
