import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Partners' webhooks and the record of every delivery attempt. */
export class Webhooks1765610000000 implements MigrationInterface {
  name = 'Webhooks1765610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'webhooks',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'partner_id', type: 'varchar', length: '36' },
          { name: 'url', type: 'varchar', length: '2000' },
          { name: 'events', type: 'varchar', length: '1000' },
          { name: 'secret', type: 'varchar', length: '255' },
          { name: 'enabled', type: 'boolean', default: true },
          { name: 'disabled_reason', type: 'varchar', length: '200', isNullable: true },
          { name: 'dead_in_a_row', type: 'int', default: 0 },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'updated_at', type: 'datetime', precision: 3 },
        ],
        foreignKeys: [{ columnNames: ['partner_id'], referencedTableName: 'partners', referencedColumnNames: ['id'] }],
      }),
    );
    // Every recorded event asks this index for the partner's enabled webhooks.
    await q.createIndex(
      'webhooks',
      new TableIndex({ name: 'idx_webhooks_partner_enabled', columnNames: ['partner_id', 'enabled'] }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_attempts',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'webhook_id', type: 'varchar', length: '36' },
          { name: 'outbox_id', type: 'varchar', length: '36' },
          { name: 'event_id', type: 'varchar', length: '36' },
          { name: 'event_type', type: 'varchar', length: '64' },
          { name: 'attempt', type: 'int' },
          { name: 'status_code', type: 'int', isNullable: true },
          { name: 'latency_ms', type: 'int' },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        foreignKeys: [
          {
            columnNames: ['webhook_id'],
            referencedTableName: 'webhooks',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createIndex(
      'webhook_attempts',
      new TableIndex({ name: 'idx_webhook_attempts_webhook', columnNames: ['webhook_id', 'created_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('webhook_attempts');
    await q.dropTable('webhooks');
  }
}
