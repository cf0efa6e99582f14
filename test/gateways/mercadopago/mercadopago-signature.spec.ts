import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GatewayContext, RawWebhookRequest } from '../../../src/gateways/contract/payment-gateway';
import { MercadoPagoAdapter } from '../../../src/gateways/mercadopago/mercadopago.adapter';
import {
  buildSignatureManifest,
  parseSignatureHeader,
  signMercadoPagoNotification,
  verifyMercadoPagoSignature,
} from '../../../src/gateways/mercadopago/mercadopago-signature';

interface SignatureVector {
  case: string;
  secret: string;
  query_data_id: string | null;
  x_request_id: string | null;
  ts: string;
  manifest: string;
  x_signature: string;
  expected_v1: string;
  expect_valid: boolean;
}

const REFERENCE = path.resolve(__dirname, '../../../../shared/reference/gateways/mercadopago');
const { vectors } = JSON.parse(readFileSync(path.join(REFERENCE, 'webhook-signature-vectors.json'), 'utf8')) as { vectors: SignatureVector[] };

const adapter = new MercadoPagoAdapter({ apiUrl: 'http://127.0.0.1:9' });

function contextWith(webhookSecret: string | undefined): GatewayContext {
  return { connectionId: 'conn-1', environment: 'sandbox', credentials: { accessToken: 'TEST-token', webhookSecret } };
}

function requestFor(vector: SignatureVector, headerOverrides: Record<string, string | undefined> = {}): RawWebhookRequest {
  const headers: Record<string, string | undefined> = { 'x-signature': vector.x_signature, 'content-type': 'application/json' };
  if (vector.x_request_id !== null) headers['x-request-id'] = vector.x_request_id;
  const query: Record<string, string | undefined> = { type: 'payment' };
  if (vector.query_data_id !== null) query['data.id'] = vector.query_data_id;
  return { headers: { ...headers, ...headerOverrides }, query, rawBody: Buffer.from('{}') };
}

describe('Mercado Pago webhook signature (webhook-signature-vectors.json)', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(6);
  });

  describe.each(vectors.map((vector) => [vector.case, vector] as const))('%s', (_name, vector) => {
    it(`verifies as ${vector.expect_valid ? 'valid' : 'INVALID'} through the helper`, () => {
      const valid = verifyMercadoPagoSignature({
        secret: vector.secret,
        xSignature: vector.x_signature,
        xRequestId: vector.x_request_id,
        dataId: vector.query_data_id,
      });
      expect(valid).toBe(vector.expect_valid);
    });

    it(`verifies as ${vector.expect_valid ? 'valid' : 'INVALID'} through adapter.verifyWebhook`, () => {
      expect(adapter.verifyWebhook(contextWith(vector.secret), requestFor(vector))).toBe(vector.expect_valid);
    });

    it('signs its documented manifest to the documented v1', () => {
      const manifestId = vector.manifest.match(/^id:([^;]+);/)?.[1] ?? null;
      expect(buildSignatureManifest(manifestId, vector.x_request_id, vector.ts)).toBe(vector.manifest);
      expect(signMercadoPagoNotification(vector.secret, manifestId, vector.x_request_id, vector.ts)).toBe(`ts=${vector.ts},v1=${vector.expected_v1}`);
      expect(parseSignatureHeader(vector.x_signature)).toEqual({ ts: vector.ts, v1: vector.expected_v1 });
    });
  });

  describe('rejections', () => {
    const valid = vectors.find((vector) => vector.case === 'numeric payment id') as SignatureVector;

    it('is false without x-signature', () => {
      expect(adapter.verifyWebhook(contextWith(valid.secret), requestFor(valid, { 'x-signature': undefined }))).toBe(false);
    });

    it('is false without a configured webhook secret', () => {
      expect(adapter.verifyWebhook(contextWith(undefined), requestFor(valid))).toBe(false);
      expect(adapter.verifyWebhook(contextWith(''), requestFor(valid))).toBe(false);
    });

    it('is false with another secret', () => {
      expect(adapter.verifyWebhook(contextWith('another-secret'), requestFor(valid))).toBe(false);
    });

    it('is false for a malformed or truncated header', () => {
      for (const header of ['', 'garbage', `ts=${valid.ts}`, `v1=${valid.expected_v1}`, `ts=${valid.ts},v1=${valid.expected_v1.slice(0, 10)}`, `ts=abc,v1=${valid.expected_v1}`]) {
        expect(adapter.verifyWebhook(contextWith(valid.secret), requestFor(valid, { 'x-signature': header }))).toBe(false);
      }
    });

    it('is false when x-request-id differs from the signed one', () => {
      expect(adapter.verifyWebhook(contextWith(valid.secret), requestFor(valid, { 'x-request-id': 'b2f0b2a7-0000-4000-8000-000000000000' }))).toBe(false);
    });

    it('is false when ts was changed', () => {
      const header = valid.x_signature.replace(`ts=${valid.ts}`, `ts=${Number(valid.ts) + 1}`);
      expect(adapter.verifyWebhook(contextWith(valid.secret), requestFor(valid, { 'x-signature': header }))).toBe(false);
    });
  });

  describe('header handling', () => {
    const valid = vectors.find((vector) => vector.case === 'numeric payment id') as SignatureVector;

    it('accepts header names in any case and array values', () => {
      const request: RawWebhookRequest = {
        headers: { 'X-Signature': [valid.x_signature], 'X-Request-Id': valid.x_request_id ?? undefined },
        query: { 'data.id': valid.query_data_id ?? undefined },
        rawBody: Buffer.alloc(0),
      };
      expect(adapter.verifyWebhook(contextWith(valid.secret), request)).toBe(true);
    });

    it('accepts spaces around the header parts and reversed order', () => {
      const header = ` v1=${valid.expected_v1} , ts=${valid.ts} `;
      expect(adapter.verifyWebhook(contextWith(valid.secret), requestFor(valid, { 'x-signature': header }))).toBe(true);
    });
  });

  describe('replay window (optional)', () => {
    const seconds = vectors.find((vector) => vector.case === 'numeric payment id') as SignatureVector;
    const millis = vectors.find((vector) => vector.ts.length === 13) as SignatureVector;
    const verifyAt = (vector: SignatureVector, nowMs: number) =>
      verifyMercadoPagoSignature({
        secret: vector.secret,
        xSignature: vector.x_signature,
        xRequestId: vector.x_request_id,
        dataId: vector.query_data_id,
        toleranceSeconds: 300,
        now: () => nowMs,
      });

    it('accepts a seconds ts inside the window and rejects one outside', () => {
      expect(verifyAt(seconds, Number(seconds.ts) * 1000 + 60_000)).toBe(true);
      expect(verifyAt(seconds, Number(seconds.ts) * 1000 + 3_600_000)).toBe(false);
    });

    it('reads a 13-digit ts as milliseconds', () => {
      expect(verifyAt(millis, Number(millis.ts) + 60_000)).toBe(true);
      expect(verifyAt(millis, Number(millis.ts) + 3_600_000)).toBe(false);
    });

    it('is off by default in the adapter (vectors from 2024 still verify)', () => {
      expect(adapter.verifyWebhook(contextWith(seconds.secret), requestFor(seconds))).toBe(true);
    });
  });
});
