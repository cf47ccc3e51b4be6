import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * The address a "this wasn't me" link was mailed to. Used after a hostile change of address has
 * gone through: whoever follows the link controls the old mailbox, so the account goes back to it
 * and its recovery link is mailed there, never to the new (possibly the intruder's) address.
 */
export class NotMeAddress1765300000000 implements MigrationInterface {
  name = 'NotMeAddress1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'action_tokens',
      new TableColumn({ name: 'sent_to', type: 'varchar', length: '254', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('action_tokens', 'sent_to');
  }
}
