import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Customer, insertRows, User } from '@lmp/database';

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** `failed_logins` plus one, as the value the UPDATE answers with (see `countFromUpdate`). */
const countedFailures = (em: EntityManager): string =>
  em.connection.options.type === 'better-sqlite3' ? 'failed_logins + 1' : 'LAST_INSERT_ID(failed_logins + 1)';

/** Queries on users that are not scoped to a partner (sign-in, tokens, the CLI). */
@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(em?: EntityManager) {
    return (em ?? this.dataSource.manager).getRepository(User);
  }

  findById(id: string, em?: EntityManager): Promise<User | null> {
    return this.repo(em).findOneBy({ id });
  }

  findByEmail(email: string, em?: EntityManager): Promise<User | null> {
    return this.repo(em).findOneBy({ email: normalizeEmail(email) });
  }

  /**
   * A sign-in's look-up: the user by email and, for a customer's user, the company in the same
   * query (the sign-in's audit event needs its partner and its answer the company's name).
   */
  async findByEmailWithCompany(email: string): Promise<{ user: User; company: Customer | null } | null> {
    const user: (User & { company?: Customer }) | null = await this.repo()
      .createQueryBuilder('u')
      .leftJoinAndMapOne('u.company', Customer, 'c', 'c.id = u.customer_id')
      .where('u.email = :email', { email: normalizeEmail(email) })
      .getOne();
    if (!user) return null;
    const company = user.company ?? null;
    delete user.company;
    return { user, company };
  }

  /**
   * The user's row, locked for the rest of the transaction on MySQL (SQLite transactions are
   * serialised already), so that two requests changing one user's credentials take turns.
   */
  findForUpdate(em: EntityManager, id: string): Promise<User | null> {
    const qb = this.repo(em).createQueryBuilder('u').where('u.id = :id', { id });
    if (em.connection.options.type !== 'better-sqlite3') qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  async insert(em: EntityManager, user: User): Promise<void> {
    await insertRows(em, User, user);
  }

  async update(em: EntityManager, id: string, changes: Partial<User>): Promise<void> {
    await this.repo(em).update({ id }, changes);
  }

  /**
   * Counts one failure of the user in one statement and returns the stored count. The statement
   * answers with the count it wrote (SQLite: `RETURNING`; MySQL, which has no
   * `UPDATE … RETURNING`: `LAST_INSERT_ID(expr)`, which the server sends back in the statement's
   * own answer), so no second query reads it back. Call in a transaction when the lock is decided
   * from the count: the row stays locked until it ends.
   */
  async countFailure(em: EntityManager, id: string): Promise<number | null> {
    const qb = em
      .createQueryBuilder()
      .update(User)
      .set({ failedLogins: () => countedFailures(em) })
      .where('id = :id', { id });
    return this.countFromUpdate(em, ...qb.getQueryAndParameters());
  }

  /** Runs an UPDATE of one user that sets `failed_logins` and answers with the count it stored (null: no row). */
  private async countFromUpdate(em: EntityManager, sql: string, params: unknown[]): Promise<number | null> {
    if (em.connection.options.type === 'better-sqlite3') {
      const rows: Array<{ failed_logins: number }> = await em.query(`${sql} RETURNING failed_logins`, params);
      return rows.length === 1 ? Number(rows[0].failed_logins) : null;
    }
    const res: { affectedRows: number; insertId: number | string } = await em.query(sql, params);
    return res.affectedRows === 1 ? Number(res.insertId) : null;
  }

  /**
   * A sign-in attempt on an account that is not locked at `now`, counted before its password is
   * checked, in one statement: the count goes up by one and, when the new count reaches
   * `lock.after`, the account locks until `lock.until(count)` in the same UPDATE. Answers with the
   * stored count (null while the account is locked: nothing is written), from the statement's own
   * answer as `countFailure` does. With no second statement, no transaction is needed: the row
   * lock of the UPDATE orders parallel attempts, and the attempt that reaches the limit has
   * taken the lock before any other attempt is counted.
   */
  async countAttempt(
    em: EntityManager,
    id: string,
    now: Date,
    lock: { after: number; until: (failures: number) => Date },
  ): Promise<number | null> {
    // The lock's end for each count from `after` on, as parameters: the same SQL on every engine.
    // Up to `lock.until` reaching its longest, so a handful of cases.
    const steps: string[] = [];
    const params: Record<string, unknown> = { id, now, after: lock.after };
    for (let n = lock.after, last: number | undefined; steps.length < 32; n++) {
      const until = lock.until(n);
      if (until.getTime() === last) break;
      last = until.getTime();
      steps.push(`WHEN failed_logins + 1 <= ${n} THEN :until${n}`);
      params[`until${n}`] = until;
    }
    const lastStep = steps.pop()!.replace(/^WHEN .* THEN /, 'ELSE ');
    const qb = em
      .createQueryBuilder()
      .update(User)
      // `locked_until` is assigned first: MySQL evaluates assignments from left to right, so it
      // reads the count as it was, as SQLite does for every assignment.
      .set({
        lockedUntil: () => `CASE WHEN failed_logins + 1 < :after THEN locked_until ${steps.join(' ')} ${lastStep} END`,
        failedLogins: () => countedFailures(em),
      })
      .where('id = :id AND (locked_until IS NULL OR locked_until <= :now)')
      .setParameters(params);
    return this.countFromUpdate(em, ...qb.getQueryAndParameters());
  }

  /** Locks the account until `until` unless it is locked at `now` already; true when this call locked it. */
  async lockUnlessLocked(em: EntityManager, id: string, until: Date, now: Date): Promise<boolean> {
    const res = await em
      .createQueryBuilder()
      .update(User)
      .set({ lockedUntil: until })
      .where('id = :id AND (locked_until IS NULL OR locked_until <= :now)', { id, now })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  /**
   * Takes back a failure counted before its check when the check passed. The lock it took goes
   * too, unless a failure was counted since (that lock is then not ours to lift): only then are
   * there two statements, to run in one transaction; otherwise it is one statement of its own.
   */
  async uncountFailure(em: EntityManager, id: string, counted: number, tookLock: boolean): Promise<void> {
    if (tookLock)
      await em
        .createQueryBuilder()
        .update(User)
        .set({ lockedUntil: null })
        .where('id = :id AND failed_logins <= :counted', { id, counted })
        .execute();
    await em
      .createQueryBuilder()
      .update(User)
      .set({ failedLogins: () => 'failed_logins - 1' })
      .where('id = :id AND failed_logins > 0', { id })
      .execute();
  }
}
