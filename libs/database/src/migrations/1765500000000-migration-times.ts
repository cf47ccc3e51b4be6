import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each migration was applied, for `lmp db:status`. TypeORM's migrations table keeps only
 * the name and the migration's own timestamp; the column's default fills in the time of every
 * later insert, so nothing else has to write it. Rows applied before this migration have no
 * time (NULL) rather than a made-up one. Times are UTC on both databases.
 */
export class MigrationTimes1765500000000 implements MigrationInterface {
  name = 'MigrationTimes1765500000000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'better-sqlite3') {
      // SQLite adds no column whose default is not a constant: rebuild the table instead.
      await q.query(
        `CREATE TABLE "migrations_new" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "timestamp" bigint NOT NULL, ` +
          `"name" varchar NOT NULL, "applied_at" varchar DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`,
      );
      await q.query(
        `INSERT INTO "migrations_new" ("id", "timestamp", "name", "applied_at") SELECT "id", "timestamp", "name", NULL FROM "migrations"`,
      );
      await q.query(`DROP TABLE "migrations"`);
      await q.query(`ALTER TABLE "migrations_new" RENAME TO "migrations"`);
    } else {
      // An expression default (MariaDB 10.2+, MySQL 8.0.13+): UTC whatever the server's zone.
      await q.query('ALTER TABLE `migrations` ADD `applied_at` datetime(3) NULL DEFAULT (UTC_TIMESTAMP(3))');
      await q.query('UPDATE `migrations` SET `applied_at` = NULL');
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'better-sqlite3') {
      await q.query(
        `CREATE TABLE "migrations_old" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "timestamp" bigint NOT NULL, "name" varchar NOT NULL)`,
      );
      await q.query(
        `INSERT INTO "migrations_old" ("id", "timestamp", "name") SELECT "id", "timestamp", "name" FROM "migrations"`,
      );
      await q.query(`DROP TABLE "migrations"`);
      await q.query(`ALTER TABLE "migrations_old" RENAME TO "migrations"`);
    } else {
      await q.query('ALTER TABLE `migrations` DROP COLUMN `applied_at`');
    }
  }
}
