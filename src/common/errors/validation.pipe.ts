import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiError, ErrorDetail } from './api-error';

/** Rejects unknown fields and reports one detail per bad field, nested paths joined with dots. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => ApiError.validation(flatten(errors)),
  });
}

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).slice(0, 1).map((message) => ({ field, message: rewrite(message, field) }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

function rewrite(message: string, field: string): string {
  if (message.startsWith('property ') && message.endsWith(' should not exist')) return `${field} is not an allowed field`;
  return message;
}
