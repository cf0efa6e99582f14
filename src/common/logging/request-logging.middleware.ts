import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { requestContext } from './request-context';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/** Gives every request an id (echoed as X-Request-Id) and logs one line when it ends; never logs bodies. */
@Injectable()
export class RequestLoggingMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Http');

  use(request: Request, response: Response, next: NextFunction): void {
    const incoming = request.header('x-request-id');
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    const startedAt = process.hrtime.bigint();
    response.setHeader('X-Request-Id', requestId);
    response.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      this.logger.log({ msg: 'request', requestId, method: request.method, path: request.path, status: response.statusCode, durationMs: Math.round(durationMs * 10) / 10 });
    });
    requestContext.run({ requestId }, next);
  }
}
