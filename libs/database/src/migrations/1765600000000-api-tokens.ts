import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Partner API tokens (only the SHA-256 of each secret, unique so a request finds its token by it),
 * and the token that acted on an audit event when no user did.
 */
export class ApiTokens1765600000000 implements MigrationInterface {
  name = 'ApiTokens1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'api_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'partner_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'scopes', type: 'varchar', length: '500' },
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'created_by', type: 'varchar', length: '36' },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'expires_at', type: 'datetime', precision: 3 },
          { name: 'revoked_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'revoked_by', type: 'varchar', length: '36', isNullable: true },
          { name: 'last_used_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'last_used_ip', type: 'varchar', length: '64', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['partner_id'],
            referencedTableName: 'partners',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createIndex(
      'api_tokens',
      new TableIndex({ name: 'UQ_api_tokens_hash', columnNames: ['token_hash'], isUnique: true }),
    );
    await q.createIndex(
      'api_tokens',
      new TableIndex({ name: 'IDX_api_tokens_partner', columnNames: ['partner_id', 'created_at'] }),
    );
    await q.addColumn(
      'audit_events',
      new TableColumn({ name: 'actor_token_id', type: 'varchar', length: '36', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('audit_events', 'actor_token_id');
    await q.dropTable('api_tokens');
  }
}
