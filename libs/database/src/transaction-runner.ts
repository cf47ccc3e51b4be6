import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Mutex } from '@lmp/common';

const MAX_ATTEMPTS = 4;
const TRANSIENT = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY']);

/** A deadlock or lock timeout: the database rolled the transaction back and it may simply run again. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  return TRANSIENT.has(e?.code ?? '') || TRANSIENT.has(e?.driverError?.code ?? '');
}

/** A unit of work: the entity manager of an open transaction and what to do once it commits. */
export interface Tx {
  readonly em: EntityManager;
  /** Runs after a successful commit (never on rollback). Used to hand outbox rows to the queue. */
  afterCommit(hook: () => Promise<void> | void): void;
}

/**
 * Runs business transactions. On SQLite (one connection) transactions are serialised,
 * because TypeORM would otherwise interleave two requests' statements in one transaction.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);
  private readonly serial?: Mutex;
  /** MySQL connections already switched to READ COMMITTED for the rest of their life. */
  private readonly readCommitted = new WeakSet<object>();

  constructor(private readonly dataSource: DataSource) {
    if (dataSource.options.type === 'better-sqlite3') this.serial = new Mutex();
  }

  /**
   * A write outside a business transaction (one statement: a status mark, a session touch).
   * On SQLite it waits for the running transaction, so that it is not swallowed by it.
   */
  async write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.serial ? this.serial.run(() => work(this.dataSource.manager)) : work(this.dataSource.manager);
  }

  /**
   * Runs `work` in a transaction. On MySQL it uses READ COMMITTED (fewer gap locks between
   * unrelated rows) and runs the work again when InnoDB picks it as a deadlock victim.
   */
  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    let hooks: Array<() => Promise<void> | void> = [];
    const exec = () => {
      hooks = [];
      const body = (em: EntityManager) => work({ em, afterCommit: (hook) => void hooks.push(hook) });
      return this.serial ? this.dataSource.transaction(body) : this.inReadCommitted(body);
    };
    let result: T;
    for (let attempt = 1; ; attempt++) {
      try {
        result = this.serial ? await this.serial.run(exec) : await exec();
        break;
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !isTransient(err)) throw err;
        this.logger.warn(
          { attempt, reason: (err as Error).message },
          'transaction rolled back by the database; running it again',
        );
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
    for (const hook of hooks) {
      try {
        await hook();
      } catch (err) {
        // The transaction is committed; a failing hook must not turn it into an error.
        this.logger.error({ err }, 'after-commit hook failed');
      }
    }
    return result;
  }

  /**
   * A READ COMMITTED transaction. The isolation level is set once per pooled connection (a
   * session setting) rather than before every transaction, which would cost a round trip each.
   */
  private async inReadCommitted<T>(body: (em: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const connection = (await runner.connect()) as object;
      if (!this.readCommitted.has(connection)) {
        await runner.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        this.readCommitted.add(connection);
      }
      await runner.startTransaction();
      try {
        const result = await body(runner.manager);
        await runner.commitTransaction();
        return result;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await runner.release();
    }
  }
}
