import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Re-authentication inside a session: when its user last proved who they are (the "recently
 * re-authenticated" window that changes to sign-in methods need), and the wrong passwords given
 * in a row inside it (the session ends after a few).
 */
export class Reauth1765200000000 implements MigrationInterface {
  name = 'Reauth1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'sessions',
      new TableColumn({ name: 'reauth_at', type: 'datetime', precision: 3, isNullable: true }),
    );
    await q.addColumn('sessions', new TableColumn({ name: 'reauth_failures', type: 'int', default: 0 }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('sessions', 'reauth_failures');
    await q.dropColumn('sessions', 'reauth_at');
  }
}
