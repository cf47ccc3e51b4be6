import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Mutex } from '@lmp/common';

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

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const hooks: Array<() => Promise<void> | void> = [];
    const exec = () => this.dataSource.transaction((em) => work({ em, afterCommit: (hook) => void hooks.push(hook) }));
    const result = this.serial ? await this.serial.run(exec) : await exec();
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
}
