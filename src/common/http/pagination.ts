import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ApiError } from '../errors/api-error';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
const MAX_SEQ = 9223372036854775807n;

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination over a monotonically increasing `seq` column, newest first: rows inserted while a client
 * pages land before its first page, so pages never repeat or skip a row.
 */
export function decodeCursor(cursor: string | undefined): bigint | null {
  if (!cursor) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = /^s:\d{1,19}$/.test(text) ? BigInt(text.slice(2)) : null;
  if (seq === null || seq > MAX_SEQ) throw ApiError.validation([{ field: 'cursor', message: 'cursor is not a value returned as nextCursor' }]);
  return seq;
}

export function encodeCursor(seq: string | bigint): string {
  return Buffer.from(`s:${seq}`, 'utf8').toString('base64url');
}

/** Takes rows fetched with limit + 1 and builds the page. */
export function toPage<R extends { seq: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return { data: pageRows.map(map), nextCursor: hasMore ? encodeCursor(pageRows[pageRows.length - 1].seq) : null };
}

export function pageSize(query: PageQueryDto): number {
  return query.limit ?? DEFAULT_PAGE_SIZE;
}
