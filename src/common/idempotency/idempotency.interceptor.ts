import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { Request, Response } from 'express';
import { defer, from, lastValueFrom, Observable } from 'rxjs';
import { Principal } from '../../accounts/auth/principal';
import { ApiError, ErrorBody } from '../errors/api-error';
import { renderError } from '../errors/error-body';
import { IdempotencyService } from './idempotency.service';

export const IDEMPOTENT_ROUTE = 'payments:idempotent-route';
/** Marks a POST whose effects must happen once per Idempotency-Key. */
export const Idempotent = () => SetMetadata(IDEMPOTENT_ROUTE, true);

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const key = request.header('idempotency-key');
    if (!key || !this.reflector.get<boolean>(IDEMPOTENT_ROUTE, context.getHandler())) return next.handle();
    const response = context.switchToHttp().getResponse<Response>();
    const successStatus = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
    return defer(() => from(this.run(request, response, key, successStatus, next)));
  }

  private async run(request: Request & { principal?: Principal }, response: Response, key: string, successStatus: number, next: CallHandler): Promise<unknown> {
    const principal = request.principal!;
    const accountId = principal.accountId ?? `operator:${principal.userId}`;
    const claim = await this.idempotency.claim({ accountId, key, method: request.method, path: request.path, body: request.body });
    if (claim.kind === 'replay') {
      response.setHeader('Idempotent-Replayed', 'true');
      if (claim.status >= 400) throw replayedError(claim.status, claim.body as ErrorBody);
      return claim.body;
    }
    return this.execute(claim.recordId, successStatus, next);
  }

  private async execute(recordId: string, successStatus: number, next: CallHandler): Promise<unknown> {
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.idempotency.complete(recordId, successStatus, body);
      return body;
    } catch (error) {
      const rendered = renderError(error);
      if (rendered.status >= 500) await this.idempotency.release(recordId);
      else await this.idempotency.complete(recordId, rendered.status, rendered.body);
      throw error;
    }
  }
}

function replayedError(status: number, body: ErrorBody): ApiError {
  return new ApiError(status, body.error.code, body.error.message, body.error.details);
}
