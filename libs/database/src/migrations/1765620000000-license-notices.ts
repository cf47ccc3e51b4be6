import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Expiry notices: each partner's thresholds, switch and grace period; one row per notice sent
 * (unique per license, expiry and threshold) and one per partner digest (unique per partner and
 * day); and an index on the expiry for the scan's keyset pages.
 */
export class LicenseNotices1765620000000 implements MigrationInterface {
  name = 'LicenseNotices1765620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'partners',
      new TableColumn({ name: 'license_notice_days', type: 'varchar', length: '64', default: "'30,7,1'" }),
    );
    await q.addColumn('partners', new TableColumn({ name: 'license_notices', type: 'boolean', default: true }));
    await q.addColumn('partners', new TableColumn({ name: 'license_grace_days', type: 'int', default: 0 }));
    await q.createIndex(
      'licenses',
      new TableIndex({ name: 'IDX_licenses_expires', columnNames: ['expires_at', 'id'] }),
    );
    await q.createTable(
      new Table({
        name: 'license_notices',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'license_id', type: 'varchar', length: '36' },
          { name: 'expires_at', type: 'datetime', precision: 3 },
          { name: 'threshold_days', type: 'int' },
          { name: 'partner_id', type: 'varchar', length: '36' },
          { name: 'customer_id', type: 'varchar', length: '36' },
          { name: 'digest_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          new TableIndex({
            name: 'UQ_license_notices_once',
            columnNames: ['license_id', 'expires_at', 'threshold_days'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_license_notices_digest', columnNames: ['partner_id', 'digest_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'license_digests',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'partner_id', type: 'varchar', length: '36' },
          { name: 'day', type: 'varchar', length: '10' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          new TableIndex({ name: 'UQ_license_digests_day', columnNames: ['partner_id', 'day'], isUnique: true }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('license_digests');
    await q.dropTable('license_notices');
    await q.dropIndex('licenses', 'IDX_licenses_expires');
    await q.dropColumn('partners', 'license_grace_days');
    await q.dropColumn('partners', 'license_notices');
    await q.dropColumn('partners', 'license_notice_days');
  }
}
