import Big from 'big.js';
import { formatBRL } from '../../common/money/money';
import { Charge } from '../charge.entity';
import { balanceDue } from '../charge.view';
import { formatDatePtBr } from '../domain/due-date';
import { ConversationMessage } from './conversation.client';

/** The pt-BR chat message for a charge: amount, due date, PIX code, boleto line, QR image and checkout button. */
export function buildChargeMessage(charge: Charge, customerName: string): ConversationMessage {
  return composeChargeMessage(charge, greeting(charge, customerName));
}

/** The body every charge-related message shares (how to pay), between its own opening and optional closing lines. */
export function composeChargeMessage(charge: Charge, opening: string, closing: string | null = null): ConversationMessage {
  const sections = [
    opening,
    charge.description ? `Referente a: ${charge.description}` : null,
    installmentsLine(charge),
    charge.pixCopyPaste ? `Pague com PIX copia e cola:\n${charge.pixCopyPaste}` : null,
    charge.boletoDigitableLine ? `Ou pague o boleto com a linha digitável:\n${charge.boletoDigitableLine}` : null,
    charge.checkoutUrl ? `Para pagar${charge.paymentMethods.includes('card') ? ' com cartão' : ''} pela página segura, toque em "Pagar agora".` : null,
    closing,
  ];
  return {
    text: sections.filter((section): section is string => Boolean(section)).join('\n\n'),
    attachments: charge.pixQrCodePng ? [{ type: 'image', mimeType: 'image/png', base64: charge.pixQrCodePng }] : [],
    buttons: charge.checkoutUrl ? [{ label: 'Pagar agora', url: charge.checkoutUrl }] : [],
    metadata: { chargeId: charge.id },
  };
}

export function firstName(customerName: string): string {
  return customerName.trim().split(/\s+/)[0];
}

function greeting(charge: Charge, customerName: string): string {
  return `Olá, ${firstName(customerName)}! Segue a cobrança nº ${charge.number} no valor de ${formatBRL(balanceDue(charge))}, vence em ${formatDatePtBr(charge.dueDate)}.`;
}

function installmentsLine(charge: Charge): string | null {
  if (charge.installments <= 1) return null;
  const amounts = charge.installmentPlan.map((line) => new Big(line.amount));
  const last = amounts[amounts.length - 1];
  const regular = amounts[0];
  const plan = last.eq(regular) ? `${amounts.length}x de ${formatBRL(regular)}` : `${amounts.length - 1}x de ${formatBRL(regular)} + 1x de ${formatBRL(last)}`;
  return `Parcelado em ${plan}.`;
}
