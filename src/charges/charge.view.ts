import Big from 'big.js';
import { maxBig, toMoneyNumber, ZERO } from '../common/money/money';
import { ProviderId } from '../gateways/contract/payment-gateway';
import { Charge } from './charge.entity';

export interface ChargeView {
  id: string;
  number: number;
  customerId: string;
  gatewayConnectionId: string;
  status: string;
  currency: string;
  items: Array<{ productId: string | null; description: string; quantity: number; unitPrice: number; total: number }>;
  subtotal: number;
  discount: { type: string; value: number } | null;
  discountAmount: number;
  adjustmentAmount: number;
  adjustmentReason: string | null;
  creditApplied: number;
  total: number;
  amountPaid: number;
  amountRefunded: number;
  interestReceived: number;
  balanceDue: number;
  dueDate: string;
  paymentMethods: string[];
  installments: number;
  installmentPlan: Array<{ number: number; amount: number; dueDate: string }>;
  checkoutUrl: string | null;
  pix?: { copyPaste: string | null; qrCodePng: string | null; expiresAt: string | null };
  boleto?: { url: string | null; digitableLine: string | null; barcode: string | null };
  conversationId: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  source: string;
  sourceId: string | null;
  provider?: ProviderId;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  paidAt: string | null;
  canceledAt: string | null;
}

/** What the customer still owes: nothing once the charge is closed without payment. */
export function balanceDue(charge: Charge): Big {
  if (charge.status === 'canceled' || charge.status === 'failed') return ZERO;
  return maxBig(ZERO, charge.total.minus(charge.creditApplied).minus(charge.amountPaid));
}

export function toChargeView(charge: Charge): ChargeView {
  return {
    id: charge.id,
    number: charge.number,
    customerId: charge.customerId,
    gatewayConnectionId: charge.connectionId,
    status: charge.status,
    currency: charge.currency,
    items: (charge.items ?? []).map((item) => ({ productId: item.productId, description: item.description, quantity: item.quantity, unitPrice: toMoneyNumber(item.unitPrice), total: toMoneyNumber(item.total) })),
    subtotal: toMoneyNumber(charge.subtotal),
    discount: charge.discountType && charge.discountValue ? { type: charge.discountType, value: toMoneyNumber(charge.discountValue) } : null,
    discountAmount: toMoneyNumber(charge.discountAmount),
    adjustmentAmount: toMoneyNumber(charge.adjustmentAmount),
    adjustmentReason: charge.adjustmentReason,
    creditApplied: toMoneyNumber(charge.creditApplied),
    total: toMoneyNumber(charge.total),
    amountPaid: toMoneyNumber(charge.amountPaid),
    amountRefunded: toMoneyNumber(charge.amountRefunded),
    interestReceived: toMoneyNumber(charge.interestReceived ?? ZERO),
    balanceDue: toMoneyNumber(balanceDue(charge)),
    dueDate: charge.dueDate,
    paymentMethods: charge.paymentMethods,
    installments: charge.installments,
    installmentPlan: charge.installmentPlan.map((line) => ({ number: line.number, amount: Number(line.amount), dueDate: line.dueDate })),
    checkoutUrl: charge.checkoutUrl,
    ...(charge.paymentMethods.includes('pix') ? { pix: { copyPaste: charge.pixCopyPaste, qrCodePng: charge.pixQrCodePng, expiresAt: charge.pixExpiresAt?.toISOString() ?? null } } : {}),
    ...(charge.paymentMethods.includes('boleto') ? { boleto: { url: charge.boletoUrl, digitableLine: charge.boletoDigitableLine, barcode: charge.boletoBarcode } } : {}),
    conversationId: charge.conversationId,
    description: charge.description,
    metadata: charge.metadata,
    source: charge.source,
    sourceId: charge.sourceId,
    lastError: charge.lastError,
    createdAt: charge.createdAt.toISOString(),
    updatedAt: charge.updatedAt.toISOString(),
    paidAt: charge.paidAt?.toISOString() ?? null,
    canceledAt: charge.canceledAt?.toISOString() ?? null,
  };
}
