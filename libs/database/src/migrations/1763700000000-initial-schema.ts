import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableForeignKey, TableIndex } from 'typeorm';

/**
 * The first schema, written with the table API so that one migration runs on MySQL,
 * MariaDB and SQLite. Ids are UUID strings; every index and foreign key is named.
 */
export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(q: QueryRunner): Promise<void> {
    const id = (name = 'id', length = 36): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isPrimary: true,
    });
    const ref = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      isNullable: nullable,
    });
    const str = (name: string, length: number, nullable = false, dflt?: string): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      default: dflt === undefined ? undefined : `'${dflt}'`,
    });
    const ts = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      precision: 3,
      isNullable: nullable,
    });
    const int = (name: string, dflt?: number): TableColumnOptions => ({
      name,
      type: 'int',
      default: dflt,
    });

    await q.createTable(
      new Table({
        name: 'partners',
        columns: [id(), str('code', 64), str('name', 200), str('status', 16, false, 'active'), ts('created_at')],
        indices: [new TableIndex({ name: 'UQ_partners_code', columnNames: ['code'], isUnique: true })],
      }),
    );

    await q.createTable(
      new Table({
        name: 'customers',
        columns: [
          id(),
          ref('partner_id'),
          str('company_name', 200),
          str('country', 2),
          str('status', 16, false, 'active'),
          ts('created_at'),
          ts('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_customers_partner_company', columnNames: ['partner_id', 'company_name'] }),
          new TableIndex({ name: 'IDX_customers_partner_created', columnNames: ['partner_id', 'created_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_customers_partner',
            columnNames: ['partner_id'],
            referencedTableName: 'partners',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id(),
          str('email', 254),
          str('password_hash', 255, true),
          str('status', 16),
          ts('email_verified_at', true),
          str('first_name', 100, false, ''),
          str('last_name', 100, false, ''),
          str('user_type', 16, false, 'company'),
          str('phone', 32, true),
          str('location', 200, true),
          ref('partner_id', true),
          ref('customer_id', true),
          str('role', 32),
          int('failed_logins', 0),
          ts('locked_until', true),
          ts('password_changed_at', true),
          ts('last_login_at', true),
          ts('created_at'),
          ts('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'UQ_users_email', columnNames: ['email'], isUnique: true }),
          new TableIndex({ name: 'IDX_users_customer_email', columnNames: ['customer_id', 'email'] }),
          new TableIndex({ name: 'IDX_users_partner', columnNames: ['partner_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_users_partner',
            columnNames: ['partner_id'],
            referencedTableName: 'partners',
            referencedColumnNames: ['id'],
          }),
          new TableForeignKey({
            name: 'FK_users_customer',
            columnNames: ['customer_id'],
            referencedTableName: 'customers',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'licenses',
        columns: [
          id(),
          ref('customer_id'),
          str('product', 120),
          int('seats'),
          ts('starts_at'),
          ts('expires_at'),
          str('status', 16, false, 'active'),
          ts('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_licenses_customer_expires', columnNames: ['customer_id', 'expires_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_licenses_customer',
            columnNames: ['customer_id'],
            referencedTableName: 'customers',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'action_tokens',
        columns: [
          id(),
          ref('user_id'),
          str('purpose', 32),
          str('token_hash', 64),
          ts('expires_at'),
          ts('used_at', true),
          ts('voided_at', true),
          ref('requested_by', true),
          ref('outbox_id', true),
          ts('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'UQ_action_tokens_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({
            name: 'IDX_action_tokens_user_purpose',
            columnNames: ['user_id', 'purpose', 'created_at'],
          }),
          new TableIndex({ name: 'IDX_action_tokens_expires', columnNames: ['expires_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_action_tokens_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'sessions',
        columns: [
          id('id', 64),
          ref('user_id'),
          ts('created_at'),
          ts('last_seen_at'),
          ts('expires_at'),
          { name: 'mfa_passed', type: 'boolean', default: 0 },
          str('ip', 64, true),
          str('user_agent', 255, true),
        ],
        indices: [
          new TableIndex({ name: 'IDX_sessions_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'IDX_sessions_expires', columnNames: ['expires_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_sessions_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          id(),
          ts('at'),
          ref('actor_user_id', true),
          ref('partner_id', true),
          ref('customer_id', true),
          ref('target_user_id', true),
          str('action', 64),
          str('ip', 64, true),
          { name: 'detail', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'IDX_audit_partner_at', columnNames: ['partner_id', 'at'] }),
          new TableIndex({ name: 'IDX_audit_partner_customer_at', columnNames: ['partner_id', 'customer_id', 'at'] }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'outbox',
        columns: [
          id(),
          str('kind', 8),
          str('template', 64),
          str('recipient', 254),
          { name: 'payload', type: 'text', isNullable: true },
          str('status', 16),
          int('attempts', 0),
          str('last_error', 500, true),
          ts('created_at'),
          ts('updated_at'),
          ts('sent_at', true),
        ],
        indices: [new TableIndex({ name: 'IDX_outbox_status_created', columnNames: ['status', 'created_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'outbox',
      'audit_events',
      'sessions',
      'action_tokens',
      'licenses',
      'users',
      'customers',
      'partners',
    ]) {
      await q.dropTable(table);
    }
  }
}
