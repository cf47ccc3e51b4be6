import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * The outbox row carries when its next attempt (or the lease of a running one) is due, so that
 * the relay can queue again a retry whose job was lost with Redis' data.
 */
export class OutboxDue1765400000000 implements MigrationInterface {
  name = 'OutboxDue1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('outbox', new TableColumn({ name: 'due_at', type: 'datetime', precision: 3, isNullable: true }));
    // Rows in flight today are due from their last touch: the relay checks their jobs a grace later.
    await q.query(`UPDATE outbox SET due_at = updated_at WHERE status IN ('pending', 'queued', 'failed')`);
    await q.createIndex('outbox', new TableIndex({ name: 'IDX_outbox_status_due', columnNames: ['status', 'due_at'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('outbox', 'IDX_outbox_status_due');
    await q.dropColumn('outbox', 'due_at');
  }
}
