import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { ApiError } from '../errors/api-error';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
// U+0000 (PostgreSQL text and jsonb reject it) and UTF-16 surrogates without their pair (not valid Unicode).
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 10;

/** Refuses text the database cannot store, as a 400 naming the field, instead of a 500 from the driver. */
@Injectable()
export class StorableTextGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!WRITE_METHODS.has(request.method) || !request.path.startsWith('/v1/')) return true;
    const field = findUnstorable(request.body, '');
    if (field !== null) throw ApiError.validation([{ field: field || 'body', message: 'contains characters that cannot be stored (U+0000 or an unpaired surrogate)' }]);
    return true;
  }
}

export function findUnstorable(value: unknown, path: string, depth = 0): string | null {
  if (depth > MAX_DEPTH) return null;
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findUnstorable(value[index], path ? `${path}.${index}` : String(index), depth + 1);
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (UNSTORABLE.test(key)) return childPath;
      const found = findUnstorable(child, childPath, depth + 1);
      if (found !== null) return found;
    }
  }
  return null;
}
