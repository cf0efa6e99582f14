import { HttpException, HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field?: string;
  code?: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

/** The one exception the API throws on purpose; the global filter renders it as the contract's error shape. */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super({ error: { code, message, details } } satisfies ErrorBody, status);
    this.message = message;
  }

  static notFound(resource: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, 'not_found', `${resource} not found`);
  }

  static validation(details: ErrorDetail[], message = 'The request is invalid'): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, 'validation_failed', message, details);
  }

  static unprocessable(code: string, message: string, details: ErrorDetail[] = []): ApiError {
    return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, code, message, details);
  }

  static conflict(code: string, message: string): ApiError {
    return new ApiError(HttpStatus.CONFLICT, code, message);
  }

  static forbidden(code: string, message: string): ApiError {
    return new ApiError(HttpStatus.FORBIDDEN, code, message);
  }

  static unauthorized(message = 'A valid bearer token is required'): ApiError {
    return new ApiError(HttpStatus.UNAUTHORIZED, 'unauthorized', message);
  }
}
