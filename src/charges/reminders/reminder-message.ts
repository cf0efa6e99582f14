import { formatBRL } from '../../common/money/money';
import { Charge } from '../charge.entity';
import { balanceDue } from '../charge.view';
import { formatDatePtBr } from '../domain/due-date';
import { composeChargeMessage, firstName } from '../send/charge-message.builder';
import { ConversationMessage } from '../send/conversation.client';
import { daysBetween } from './reminder-schedule';

// Webhooks can lag behind a payment by minutes; the customer should not feel accused.
const ALREADY_PAID_NOTE = 'Se você já pagou, desconsidere esta mensagem.';

/** The pt-BR reminder: when the charge falls due relative to `today`, the balance, and the same ways to pay as the charge message. */
export function buildReminderMessage(charge: Charge, customerName: string, today: string, now: Date): ConversationMessage {
  return composeChargeMessage(withoutExpiredPix(charge, now), reminderOpening(charge, customerName, today), ALREADY_PAID_NOTE);
}

export function reminderOpening(charge: Charge, customerName: string, today: string): string {
  const amount = charge.amountPaid.gt(0) ? `com saldo em aberto de ${formatBRL(balanceDue(charge))}` : `de ${formatBRL(balanceDue(charge))}`;
  return `Olá, ${firstName(customerName)}! Lembrete: a cobrança nº ${charge.number} ${amount} ${dueWording(charge.dueDate, today)}.`;
}

/** "vence amanhã (30/11/2026)", "vence hoje (30/11/2026)", "venceu em 30/11/2026" or "vence em 30/11/2026". */
export function dueWording(dueDate: string, today: string): string {
  const date = formatDatePtBr(dueDate);
  const daysLeft = daysBetween(today, dueDate);
  if (daysLeft < 0) return `venceu em ${date}`;
  if (daysLeft === 0) return `vence hoje (${date})`;
  if (daysLeft === 1) return `vence amanhã (${date})`;
  return `vence em ${date}`;
}

/** An expired PIX code would only fail at the customer's bank; the boleto and the checkout page still work. */
function withoutExpiredPix(charge: Charge, now: Date): Charge {
  if (!charge.pixExpiresAt || charge.pixExpiresAt.getTime() > now.getTime()) return charge;
  return { ...charge, pixCopyPaste: null, pixQrCodePng: null };
}
