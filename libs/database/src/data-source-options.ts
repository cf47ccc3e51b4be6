import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@lmp/config';
import { CustomerSearchSubscriber } from './customer-search';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** One place that turns the configuration into TypeORM options, for the apps and the CLI. */
export function dataSourceOptions(config: Pick<AppConfig, 'database' | 'migrateOnStart'>): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    subscribers: [CustomerSearchSubscriber],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun: config.migrateOnStart,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: ['error' as const, 'warn' as const],
  };
  const db = config.database;
  if (db.type === 'sqlite') {
    if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      enableWAL: db.path !== ':memory:',
      prepareDatabase: (conn: { pragma(s: string): unknown }) => {
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: db.type,
    url: db.url,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    extra: { connectionLimit: 20, waitForConnections: true, enableKeepAlive: true },
  };
}
