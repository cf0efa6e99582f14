import { createHmac } from 'node:crypto';
import { signOutboundPayload } from '../../../src/webhooks/outbound/outbound-signature';

describe('outbound event signature', () => {
  const secret = 'platform-events-secret-0123456789';
  const rawBody = '{"id":"3f1c","type":"charge.paid","accountId":"acme","createdAt":"2026-01-02T03:04:05.000Z","data":{}}';

  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">', () => {
    const expected = createHmac('sha256', secret).update(`1767322800.${rawBody}`).digest('hex');
    expect(signOutboundPayload(secret, rawBody, 1767322800)).toBe(`t=1767322800,v1=${expected}`);
  });

  it('matches a known vector', () => {
    expect(signOutboundPayload('key', 'body', 1)).toBe(`t=1,v1=${createHmac('sha256', 'key').update('1.body').digest('hex')}`);
    expect(signOutboundPayload('key', 'body', 1)).toMatch(/^t=1,v1=[0-9a-f]{64}$/);
  });

  it('changes with the timestamp, the body and the secret', () => {
    const signature = signOutboundPayload(secret, rawBody, 100);
    expect(signOutboundPayload(secret, rawBody, 101)).not.toBe(signature);
    expect(signOutboundPayload(secret, `${rawBody} `, 100)).not.toBe(signature);
    expect(signOutboundPayload(`${secret}x`, rawBody, 100)).not.toBe(signature);
  });
});
