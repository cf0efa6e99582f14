import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../errors/api-error';
import { IdempotencyRepository, IdempotencyRow } from './idempotency.repository';
import { stableStringify } from './stable-json';

const LEASE_SECONDS = 60;
const WAIT_FOR_CONCURRENT_MS = 15_000;
const POLL_INTERVAL_MS = 50;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentRequest {
  accountId: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
}

export type IdempotencyClaim =
  | { kind: 'execute'; recordId: string }
  | { kind: 'replay'; status: number; body: unknown };

/**
 * Idempotency-Key semantics: the first request with a key runs and its response is stored; the same key with
 * the same request replays that response; with a different request, 409 idempotency_key_reused. A concurrent
 * duplicate waits for the first to finish. State lives in PostgreSQL, so it holds across instances.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly records: IdempotencyRepository) {}

  async claim(request: IdempotentRequest): Promise<IdempotencyClaim> {
    assertValidKey(request.key);
    const claim = { accountId: request.accountId, key: request.key, scope: `${request.method} ${request.path}`, requestHash: hashRequest(request), leaseSeconds: LEASE_SECONDS };
    const deadline = Date.now() + WAIT_FOR_CONCURRENT_MS;
    for (;;) {
      const insertedId = await this.records.tryInsert(claim);
      if (insertedId) return { kind: 'execute', recordId: insertedId };
      const existing = await this.records.find(request.accountId, request.key);
      if (!existing) continue;
      const resolved = await this.resolveExisting(existing, claim.requestHash);
      if (resolved) return resolved;
      if (Date.now() > deadline) throw ApiError.conflict('idempotency_request_in_progress', 'A request with this Idempotency-Key is still being processed; retry later');
      await sleep(POLL_INTERVAL_MS);
    }
  }

  complete(recordId: string, status: number, body: unknown): Promise<void> {
    return this.records.complete(recordId, status, body);
  }

  /** Unexpected failures are not remembered, so that the client can retry with the same key. */
  release(recordId: string): Promise<void> {
    return this.records.release(recordId);
  }

  private async resolveExisting(existing: IdempotencyRow, requestHash: string): Promise<IdempotencyClaim | null> {
    if (existing.request_hash !== requestHash) {
      throw ApiError.conflict('idempotency_key_reused', 'This Idempotency-Key was already used with a different request');
    }
    if (existing.state === 'completed') return { kind: 'replay', status: existing.response_status ?? 200, body: existing.response_body };
    if (existing.stale && (await this.records.takeOverStale(existing.id, LEASE_SECONDS))) return { kind: 'execute', recordId: existing.id };
    return null;
  }
}

function assertValidKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw ApiError.validation([{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-255 printable ASCII characters' }]);
  }
}

function hashRequest(request: IdempotentRequest): string {
  return createHash('sha256').update(`${request.method} ${request.path}\n${stableStringify(request.body ?? null)}`).digest('hex');
}
