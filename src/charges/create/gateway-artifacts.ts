import Big from 'big.js';
import QRCode from 'qrcode';
import { GatewayChargeResult } from '../../gateways/contract/payment-gateway';
import { GatewayConnection } from '../../gateways/connections/gateway-connection.entity';
import { Charge } from '../charge.entity';
import { ChargeArtifacts } from '../charges.repository';

export async function toArtifacts(result: GatewayChargeResult): Promise<ChargeArtifacts> {
  const pix = result.pix;
  // Some gateways give only the copy-and-paste code; the QR image is rendered from it.
  const qrCodePng = pix ? (pix.qrCodePng ?? (await QRCode.toBuffer(pix.copyPaste, { type: 'png', margin: 2, width: 320 })).toString('base64')) : null;
  return {
    gatewayObjects: result.objects,
    checkoutUrl: result.checkoutUrl,
    pixCopyPaste: pix?.copyPaste ?? null,
    pixQrCodePng: qrCodePng,
    pixExpiresAt: pix?.expiresAt ? new Date(pix.expiresAt) : null,
    boletoUrl: result.boleto?.url ?? null,
    boletoDigitableLine: result.boleto?.digitableLine ?? null,
    boletoBarcode: result.boleto?.barcode ?? null,
  };
}

/** One payment attempt per gateway object; installment payments (one object each) carry their installment amount. */
export function paymentsFor(charge: Charge, connection: GatewayConnection, result: GatewayChargeResult, amount: Big = charge.total.minus(charge.creditApplied)) {
  const perInstallment = charge.installments > 1 && result.objects.length === charge.installments;
  return result.objects.map((object, index) => ({
    chargeId: charge.id,
    accountId: charge.accountId,
    connectionId: connection.id,
    method: object.method,
    amount: perInstallment ? new Big(charge.installmentPlan[index].amount) : amount,
    status: 'pending' as const,
    idempotencyKey: `${charge.id}:${object.kind}:${object.id}`,
    gatewayObjectKind: object.kind,
    gatewayPaymentId: object.id,
  }));
}

