import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * INSERTs whole rows, as given, in one statement. TypeORM's own `insert` reads back every column
 * that has a default: on MySQL, which has no `INSERT … RETURNING`, with one more SELECT per
 * insert, on every sign-in (the session) and every mail (the outbox row); on MariaDB 10.5+ and
 * SQLite with a RETURNING clause. Rows passed here are whole entities: there is nothing to read back.
 */
export async function insertRows<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  rows: T | T[],
): Promise<void> {
  await em
    .createQueryBuilder()
    .insert()
    .into(target)
    .values(rows as QueryDeepPartialEntity<T> | QueryDeepPartialEntity<T>[])
    .updateEntity(false)
    .execute();
}
