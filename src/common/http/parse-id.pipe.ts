import { Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; a malformed one is the same 404 as an unknown one, never a 500 from the database. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  constructor(private readonly resource: string) {}

  transform(value: string): string {
    if (!UUID_PATTERN.test(value)) throw ApiError.notFound(this.resource);
    return value.toLowerCase();
  }
}

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
