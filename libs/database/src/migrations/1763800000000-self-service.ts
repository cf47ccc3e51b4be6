import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** The platform's direct partner: customers who sign up without a partner code belong to it. */
export const DIRECT_PARTNER_ID = '00000000-0000-4000-8000-00000000d1ec';
export const DIRECT_PARTNER_CODE = 'direct';

/**
 * Self-service: rate-limit counters shared by every console instance (when Redis is not
 * configured), and the direct partner.
 */
export class SelfService1763800000000 implements MigrationInterface {
  name = 'SelfService1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'rate_limits',
        columns: [
          { name: 'key', type: 'varchar', length: '200', isPrimary: true },
          { name: 'hits', type: 'int', default: 0 },
          { name: 'window_ends_at', type: 'datetime', precision: 3 },
          { name: 'blocked_until', type: 'datetime', precision: 3, isNullable: true },
        ],
      }),
    );
    const exists: unknown[] = await q.query('SELECT id FROM partners WHERE id = ?', [DIRECT_PARTNER_ID]);
    if (exists.length === 0) {
      // A UTC timestamp that both MySQL's DATETIME(3) and TypeORM's SQLite driver read as UTC.
      const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
      await q.query('INSERT INTO partners (id, code, name, status, created_at) VALUES (?, ?, ?, ?, ?)', [
        DIRECT_PARTNER_ID,
        DIRECT_PARTNER_CODE,
        'LMP Direct',
        'active',
        now,
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('rate_limits');
    await q.query('DELETE FROM partners WHERE id = ?', [DIRECT_PARTNER_ID]);
  }
}
