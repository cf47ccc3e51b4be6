import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { TRIGRAM_TABLE, trigramRows } from '../customer-search';

/**
 * Browsing a partner with tens of thousands of customers:
 * - the trigram index of company names (see customer-search.ts), filled here for the customers
 *   that exist already, so that searching for text inside names reads a few short lists of
 *   customers instead of every name of the partner;
 * - the customer list sorted by country walks an index (partner, country, id) instead of
 *   sorting all of the partner's customers. Sorting by name or creation date had its index.
 */
export class BrowseAtScale1764050000000 implements MigrationInterface {
  name = 'BrowseAtScale1764050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'customers',
      new TableIndex({ name: 'IDX_customers_partner_country', columnNames: ['partner_id', 'country', 'id'] }),
    );
    await q.createTable(
      new Table({
        name: TRIGRAM_TABLE,
        columns: [
          { name: 'partner_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'trigram', type: 'varchar', length: '3', isPrimary: true },
          { name: 'customer_id', type: 'varchar', length: '36', isPrimary: true },
        ],
        indices: [new TableIndex({ name: 'IDX_customer_name_trigrams_customer', columnNames: ['customer_id'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_customer_name_trigrams_customer',
            columnNames: ['customer_id'],
            referencedTableName: 'customers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    // The customers there already, a thousand at a time in id order.
    let after = '';
    for (;;) {
      const batch: Array<{ id: string; partner_id: string; company_name: string }> = await q.query(
        'SELECT id, partner_id, company_name FROM customers WHERE id > ? ORDER BY id LIMIT 1000',
        [after],
      );
      if (batch.length === 0) break;
      after = batch[batch.length - 1].id;
      const rows = trigramRows(batch.map((c) => ({ id: c.id, partnerId: c.partner_id, companyName: c.company_name })));
      for (let i = 0; i < rows.length; i += 2000) {
        const chunk = rows.slice(i, i + 2000);
        await q.query(
          `INSERT INTO ${TRIGRAM_TABLE} (partner_id, trigram, customer_id) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
          chunk.flat(),
        );
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable(TRIGRAM_TABLE);
    await q.dropIndex('customers', 'IDX_customers_partner_country');
  }
}
