import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiError, ErrorBody } from './api-error';

export interface RenderedError {
  status: number;
  body: ErrorBody;
  /** Whether the failure is ours (5xx) and must be logged with its stack. */
  unexpected: boolean;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
};

/** Turns any thrown value into the contract's error JSON without leaking stacks, SQL or provider secrets. */
export function renderError(exception: unknown): RenderedError {
  if (exception instanceof ApiError) {
    return { status: exception.getStatus(), body: exception.getResponse() as ErrorBody, unexpected: false };
  }
  if (exception instanceof HttpException) return renderHttpException(exception);
  const bodyParserError = renderBodyParserError(exception);
  if (bodyParserError) return bodyParserError;
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: errorBody('internal_error', 'An unexpected error occurred; it has been logged'),
    unexpected: true,
  };
}

function renderHttpException(exception: HttpException): RenderedError {
  const status = exception.getStatus();
  // Nest maps body-parser's SyntaxError to a BadRequestException carrying JSON.parse's message; replace it.
  if (status === HttpStatus.BAD_REQUEST) {
    return /JSON/i.test(exception.message)
      ? { status, body: errorBody('malformed_json', 'The request body is not valid JSON'), unexpected: false }
      : { status, body: errorBody('bad_request', 'The request could not be read'), unexpected: false };
  }
  const response = exception.getResponse();
  const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
  const code = STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'error');
  const safeMessage = status >= 500 ? 'An unexpected error occurred; it has been logged' : message;
  return { status, body: errorBody(code, safeMessage), unexpected: status >= 500 };
}

/** express.json() errors carry `type` and `status`; their message may echo the body, so it is replaced. */
function renderBodyParserError(exception: unknown): RenderedError | null {
  const candidate = exception as { type?: string; status?: number };
  if (typeof candidate?.type !== 'string' || typeof candidate.status !== 'number') return null;
  if (candidate.type === 'entity.parse.failed') {
    return { status: 400, body: errorBody('malformed_json', 'The request body is not valid JSON'), unexpected: false };
  }
  if (candidate.type === 'entity.too.large') {
    return { status: 413, body: errorBody('payload_too_large', 'The request body is too large'), unexpected: false };
  }
  return { status: candidate.status, body: errorBody('bad_request', 'The request body could not be read'), unexpected: false };
}

export function errorBody(code: string, message: string, details: ApiError['details'] = []): ErrorBody {
  return { error: { code, message, details } };
}
