import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

export function dataSourceOptions(databaseUrl: string, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: Number(process.env.DATABASE_POOL_SIZE ?? 20) },
  };
}
