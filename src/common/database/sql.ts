import { EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager, 'query'>;

/**
 * Runs SQL and returns its rows. TypeORM answers UPDATE/DELETE with [rows, rowCount] instead of rows;
 * this hides that difference so `... RETURNING` reads the same for every command.
 */
export async function queryRows<T>(db: Queryable, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const result: unknown = await db.query(sql, parameters);
  if (isRowsAndCount(result)) return result[0] as T[];
  return result as T[];
}

/** Number of rows an UPDATE or DELETE touched. */
export async function execute(db: Queryable, sql: string, parameters: unknown[] = []): Promise<number> {
  const result: unknown = await db.query(sql, parameters);
  if (isRowsAndCount(result)) return result[1];
  return Array.isArray(result) ? result.length : 0;
}

function isRowsAndCount(result: unknown): result is [unknown[], number] {
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
}
