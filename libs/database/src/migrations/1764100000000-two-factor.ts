import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/** Two-factor authentication: methods, recovery codes, the partner policy and pending sign-ins. */
export class TwoFactor1764100000000 implements MigrationInterface {
  name = 'TwoFactor1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'mfa_methods',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '8' },
          { name: 'target', type: 'varchar', length: '254', isNullable: true },
          { name: 'secret', type: 'varchar', length: '255', isNullable: true },
          { name: 'is_default', type: 'boolean', default: false },
          { name: 'confirmed_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'last_used_step', type: 'bigint', isNullable: true },
          { name: 'code_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'code_expires_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'code_tries', type: 'int', default: 0 },
          { name: 'code_sent_at', type: 'datetime', precision: 3, isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createIndex('mfa_methods', new TableIndex({ name: 'idx_mfa_methods_user', columnNames: ['user_id'] }));
    await q.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'code_hash', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'used_at', type: 'datetime', precision: 3, isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createIndex(
      'recovery_codes',
      new TableIndex({ name: 'idx_recovery_codes_user', columnNames: ['user_id'] }),
    );
    await q.addColumn('users', new TableColumn({ name: 'mfa_enabled', type: 'boolean', default: false }));
    // Existing partners keep working as they did; new partners are created with the policy on.
    await q.addColumn('partners', new TableColumn({ name: 'require_staff_mfa', type: 'boolean', default: false }));
    await q.addColumn('sessions', new TableColumn({ name: 'mfa_setup_required', type: 'boolean', default: false }));
    await q.addColumn('sessions', new TableColumn({ name: 'mfa_failures', type: 'int', default: 0 }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('sessions', 'mfa_failures');
    await q.dropColumn('sessions', 'mfa_setup_required');
    await q.dropColumn('partners', 'require_staff_mfa');
    await q.dropColumn('users', 'mfa_enabled');
    await q.dropTable('recovery_codes');
    await q.dropTable('mfa_methods');
  }
}
