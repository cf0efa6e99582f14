export const CHARGE_STATUSES = [
  'pending',
  'awaiting_payment',
  'partially_paid',
  'paid',
  'overdue',
  'canceled',
  'failed',
  'refunded',
  'partially_refunded',
] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

/**
 * The one transition table. `pending` means saved but not yet at the gateway; `failed` means the gateway
 * refused to create it. A transition not listed here is ignored and logged, never applied.
 */
const TRANSITIONS: Record<ChargeStatus, readonly ChargeStatus[]> = {
  pending: ['awaiting_payment', 'failed', 'paid', 'partially_paid', 'canceled'],
  awaiting_payment: ['partially_paid', 'paid', 'overdue', 'canceled'],
  // A retry re-opens an overdue or failed charge with a new payment attempt.
  overdue: ['awaiting_payment', 'partially_paid', 'paid', 'canceled'],
  partially_paid: ['partially_paid', 'paid', 'overdue', 'partially_refunded', 'refunded'],
  paid: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  canceled: [],
  failed: ['awaiting_payment', 'canceled'],
};

export function canTransition(from: ChargeStatus, to: ChargeStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Open charges can still receive money for their balance. */
export function isOpen(status: ChargeStatus): boolean {
  return status === 'awaiting_payment' || status === 'overdue' || status === 'partially_paid';
}
