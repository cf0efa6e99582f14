import { createHmac } from 'node:crypto';
import { InvalidWebhookSignatureError, WebhookSignatureValidator } from 'mercadopago';

/**
 * Mercado Pago webhook `x-signature` verification.
 *
 * The HMAC check itself is the official SDK's `WebhookSignatureValidator` (manifest
 * `id:<data.id>;request-id:<x-request-id>;ts:<ts>;` with missing pairs dropped, HMAC-SHA256 hex,
 * `crypto.timingSafeEqual`). Two documented rules the SDK does not cover are added here:
 * - the Orders-API docs lower-case alphanumeric `data.id` in the manifest while the SDK hashes it as
 *   received; Mercado Pago has signed both ways, so both manifests are accepted;
 * - `ts` is documented as milliseconds but sent as seconds; the optional replay window accepts both.
 */
export interface VerifyMercadoPagoSignatureInput {
  secret: string | null | undefined;
  xSignature: string | null | undefined;
  xRequestId: string | null | undefined;
  /** `data.id` from the notification URL's query string (not from the body). */
  dataId: string | null | undefined;
  /** When set, reject signatures whose ts is further than this from now (replay protection). */
  toleranceSeconds?: number;
  now?: () => number;
}

export function verifyMercadoPagoSignature(input: VerifyMercadoPagoSignatureInput): boolean {
  if (!input.secret || !input.xSignature) return false;
  const candidates = dataIdCandidates(input.dataId);
  const matched = candidates.some((dataId) => sdkAccepts(input.secret as string, input.xSignature as string, input.xRequestId, dataId));
  if (!matched) return false;
  return input.toleranceSeconds === undefined || isFresh(input.xSignature, input.toleranceSeconds, input.now ?? Date.now);
}

/** Builds the `x-signature` header value Mercado Pago would send (used by the simulator and tests). */
export function signMercadoPagoNotification(
  secret: string,
  dataId: string | null,
  requestId: string | null,
  ts: string,
): string {
  const v1 = createHmac('sha256', secret).update(buildSignatureManifest(dataId, requestId, ts)).digest('hex');
  return `ts=${ts},v1=${v1}`;
}

export function buildSignatureManifest(dataId: string | null, requestId: string | null, ts: string): string {
  const parts: string[] = [];
  if (dataId) parts.push(`id:${dataId}`);
  if (requestId) parts.push(`request-id:${requestId}`);
  parts.push(`ts:${ts}`);
  return `${parts.join(';')};`;
}

/** Parses `ts=…,v1=…` (keys case-insensitive, split on the first '='). */
export function parseSignatureHeader(header: string): { ts: string | null; v1: string | null } {
  const values = new Map<string, string>();
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) continue;
    values.set(part.slice(0, separator).trim().toLowerCase(), part.slice(separator + 1).trim());
  }
  return { ts: values.get('ts') || null, v1: values.get('v1') || null };
}

function dataIdCandidates(dataId: string | null | undefined): Array<string | undefined> {
  const asReceived = dataId?.trim() || undefined;
  if (!asReceived) return [undefined];
  const lowered = asReceived.toLowerCase();
  return lowered === asReceived ? [asReceived] : [asReceived, lowered];
}

function sdkAccepts(secret: string, xSignature: string, xRequestId: string | null | undefined, dataId: string | undefined): boolean {
  try {
    WebhookSignatureValidator.validate({ xSignature, xRequestId, dataId, secret });
    return true;
  } catch (error) {
    if (error instanceof InvalidWebhookSignatureError) return false;
    throw error;
  }
}

function isFresh(xSignature: string, toleranceSeconds: number, now: () => number): boolean {
  const { ts } = parseSignatureHeader(xSignature);
  if (!ts || !/^\d+$/.test(ts)) return false;
  // 13 digits = epoch milliseconds (Orders docs example); otherwise epoch seconds (Webhooks docs, SDKs).
  const tsMs = ts.length >= 13 ? Number(ts) : Number(ts) * 1000;
  return Math.abs(now() - tsMs) <= toleranceSeconds * 1000;
}
