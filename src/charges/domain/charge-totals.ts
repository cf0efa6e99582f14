import Big from 'big.js';
import { ApiError } from '../../common/errors/api-error';
import { assertStorable, roundCents, splitInstallments, sum, ZERO } from '../../common/money/money';
import { addMonthsToDate } from './due-date';

export interface PricedItem {
  description: string;
  quantity: number;
  unitPrice: Big;
  productId: string | null;
}

export interface Discount {
  type: 'percentage' | 'fixed';
  value: Big;
}

export interface ChargeTotals {
  subtotal: Big;
  discountAmount: Big;
  adjustmentAmount: Big;
  total: Big;
}

export interface InstallmentLine {
  number: number;
  amount: Big;
  dueDate: string;
}

export function lineTotal(item: PricedItem): Big {
  return item.unitPrice.times(item.quantity);
}

/**
 * subtotal = sum of quantity x unit price; discount: a percentage of the subtotal rounded half-up to the cent,
 * or a fixed amount, never more than the subtotal; total = subtotal - discount + adjustment, which must stay positive.
 */
export function computeTotals(items: PricedItem[], discount: Discount | null, adjustment: Big): ChargeTotals {
  items.forEach((item, index) => assertStorable(lineTotal(item), `items.${index}.total`));
  const subtotal = assertStorable(sum(items.map(lineTotal)), 'subtotal');
  const discountAmount = discount ? discountOf(subtotal, discount) : ZERO;
  const total = assertStorable(subtotal.minus(discountAmount).plus(adjustment), 'total');
  if (total.lte(0)) {
    throw ApiError.unprocessable('invalid_total', `The total would be ${total.toFixed(2)}; discount and adjustment must leave a positive amount`, [{ field: 'adjustment.amount', message: 'the total must be greater than zero' }]);
  }
  return { subtotal, discountAmount, adjustmentAmount: adjustment, total };
}

function discountOf(subtotal: Big, discount: Discount): Big {
  if (discount.type === 'percentage') {
    if (discount.value.gt(100)) throw invalidDiscount('a percentage discount cannot exceed 100');
    return roundCents(subtotal.times(discount.value).div(100));
  }
  if (discount.value.gt(subtotal)) throw invalidDiscount(`a fixed discount cannot exceed the subtotal (${subtotal.toFixed(2)})`);
  return discount.value;
}

function invalidDiscount(message: string): ApiError {
  return ApiError.unprocessable('invalid_discount', message, [{ field: 'discount.value', message }]);
}

/** Monthly installments from the first due date; cents truncated, the remainder on the last one. */
export function installmentPlan(total: Big, count: number, firstDueDate: string): InstallmentLine[] {
  return splitInstallments(total, count).map((amount, index) => ({ number: index + 1, amount, dueDate: addMonthsToDate(firstDueDate, index) }));
}
