import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { ApiError } from '../../common/errors/api-error';
import { parseAmount, ZERO } from '../../common/money/money';
import { GatewayCapabilities, PaymentMethod } from '../../gateways/contract/payment-gateway';
import { ProductsService } from '../catalog/products.service';
import { ChargeTotals, computeTotals, Discount, InstallmentLine, installmentPlan, PricedItem } from '../domain/charge-totals';
import { isCalendarDate, todayInSaoPaulo } from '../domain/due-date';
import { CreateChargeDto } from './create-charge.dto';

export interface ChargeDraft {
  items: PricedItem[];
  discount: Discount | null;
  adjustment: { amount: Big; reason: string | null };
  totals: ChargeTotals;
  dueDate: string;
  methods: PaymentMethod[];
  installments: number;
  plan: InstallmentLine[];
  source: 'manual' | 'catalog';
}

/** Validates a create-charge request against the catalog and the gateway's capabilities, and prices it. */
@Injectable()
export class ChargeDraftFactory {
  constructor(private readonly products: ProductsService) {}

  async build(accountId: string, input: CreateChargeDto, capabilities: GatewayCapabilities): Promise<ChargeDraft> {
    assertCustomerChoice(input);
    const dueDate = validDueDate(input.dueDate);
    const methods = availableMethods(input.paymentMethods, capabilities);
    const installments = validInstallments(input.installments ?? 1, methods, capabilities);
    const items = await this.priceItems(accountId, input);
    const discount = input.discount ? { type: input.discount.type, value: parseAmount(input.discount.value, { field: 'discount.value' }) } : null;
    const adjustmentAmount = input.adjustment ? parseAmount(input.adjustment.amount, { field: 'adjustment.amount', sign: 'any' }) : ZERO;
    const totals = computeTotals(items, discount, adjustmentAmount);
    return {
      items,
      discount,
      adjustment: { amount: adjustmentAmount, reason: input.adjustment?.reason ?? null },
      totals,
      dueDate,
      methods,
      installments,
      plan: installmentPlan(totals.total, installments, dueDate),
      source: items.some((item) => item.productId) ? 'catalog' : 'manual',
    };
  }

  private async priceItems(accountId: string, input: CreateChargeDto): Promise<PricedItem[]> {
    const productIds = input.items.flatMap((item) => (item.productId ? [item.productId] : []));
    const products = await this.products.requireActive(accountId, productIds);
    return input.items.map((item, index) => {
      const field = `items.${index}`;
      if (item.productId) {
        if (item.unitPrice !== undefined) throw ApiError.validation([{ field: `${field}.unitPrice`, message: `${field}.unitPrice comes from the product; leave it out` }]);
        const product = products.get(item.productId)!;
        return { productId: product.id, description: item.description ?? product.name, quantity: item.quantity, unitPrice: product.unitPrice };
      }
      const missing = [!item.description && 'description', item.unitPrice === undefined && 'unitPrice'].filter(Boolean) as string[];
      if (missing.length) throw ApiError.validation(missing.map((name) => ({ field: `${field}.${name}`, message: `${field}.${name} is required without productId` })));
      return { productId: null, description: item.description!, quantity: item.quantity, unitPrice: parseAmount(item.unitPrice, { field: `${field}.unitPrice` }) };
    });
  }
}

function assertCustomerChoice(input: CreateChargeDto): void {
  if (Boolean(input.customer) === Boolean(input.customerId)) {
    throw ApiError.validation([{ field: 'customer', message: 'pass either customer (inline) or customerId, not both and not neither' }]);
  }
}

function validDueDate(dueDate: string): string {
  if (!isCalendarDate(dueDate)) throw ApiError.unprocessable('invalid_due_date', 'dueDate must be a calendar date YYYY-MM-DD', [{ field: 'dueDate', message: 'dueDate must be a date such as 2026-12-01' }]);
  const today = todayInSaoPaulo();
  if (dueDate < today) throw ApiError.unprocessable('invalid_due_date', `dueDate is in the past (today in America/Sao_Paulo is ${today})`, [{ field: 'dueDate', message: 'dueDate must be today or later' }]);
  return dueDate;
}

function availableMethods(requested: PaymentMethod[], capabilities: GatewayCapabilities): PaymentMethod[] {
  const unavailable = requested.filter((method) => !capabilities.paymentMethods.includes(method));
  if (unavailable.length > 0) {
    throw ApiError.unprocessable('payment_method_unavailable', `The gateway cannot offer ${unavailable.join(', ')}`, unavailable.map((method) => ({ field: 'paymentMethods', message: `${method} is not available on this gateway` })));
  }
  return requested;
}

/** Installments apply to boleto and card only, within the gateway's limit for every requested method. */
function validInstallments(count: number, methods: PaymentMethod[], capabilities: GatewayCapabilities): number {
  if (count === 1) return 1;
  const limit = Math.min(...methods.map((method) => capabilities.maxInstallments[method] ?? 1));
  if (count > limit) {
    const reason = limit <= 1 ? `installments are not available for ${methods.join(', ')} on this gateway` : `at most ${limit} installments for ${methods.join(', ')} on this gateway`;
    throw ApiError.unprocessable('installments_unavailable', reason, [{ field: 'installments', message: reason }]);
  }
  return count;
}
