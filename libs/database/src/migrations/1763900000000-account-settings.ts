import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** My Profile: email preferences with their consent trail, and pending changes of address. */
export class AccountSettings1763900000000 implements MigrationInterface {
  name = 'AccountSettings1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'email_subscriptions',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'newsletter', type: 'boolean', default: false },
          { name: 'promotions', type: 'boolean', default: false },
          { name: 'updated_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'consent_events',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'topic', type: 'varchar', length: '32' },
          { name: 'granted', type: 'boolean' },
          { name: 'source', type: 'varchar', length: '32' },
          { name: 'at', type: 'datetime', precision: 3 },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'consent_events',
      new TableIndex({ name: 'idx_consent_events_user', columnNames: ['user_id', 'at'] }),
    );
    await q.createTable(
      new Table({
        name: 'email_changes',
        columns: [
          { name: 'token_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'new_email', type: 'varchar', length: '254' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createIndex('email_changes', new TableIndex({ name: 'idx_email_changes_user', columnNames: ['user_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('email_changes');
    await q.dropTable('consent_events');
    await q.dropTable('email_subscriptions');
  }
}
