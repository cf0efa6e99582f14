import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Payments-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`: the timestamp is signed with the body so the
 * platform can refuse replays of an old delivery.
 */
export function signOutboundPayload(secret: string, rawBody: string, unixSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}
