import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, LessThan, MoreThan } from 'typeorm';
import { insertRows, OUTBOX_STATUSES, OutboxMessage, OutboxStatus, TransactionRunner, Tx } from '@lmp/database';
import { MicroBatcher } from './micro-batcher';

export type StatusCounts = Record<OutboxStatus, number>;
/** A delivered message to record: the attempt that sent it, and when. */
export interface SentMark {
  id: string;
  attempts: number;
  now: Date;
}
/**
 * Work that must commit together with a batch of sent marks (events about what was sent): it
 * runs in the marks' transaction and is given the rows this batch moved to `sent`, each once.
 */
export type SentHook = (tx: Tx, sent: SentMark[]) => Promise<void>;
export type OverdueRow = Pick<OutboxMessage, 'id' | 'kind' | 'template' | 'status' | 'dueAt'>;

/** Statuses with an attempt still to come: their `due_at` says when. */
const UNFINISHED: OutboxStatus[] = ['pending', 'queued', 'sending', 'failed'];
/** A row in one of these may be claimed for an attempt (a `sending` one only once its lease ran out). */
const CLAIMABLE: OutboxStatus[] = ['pending', 'queued', 'failed'];

/**
 * The outbox queries. Status moves only through conditional updates, so racing writers cannot
 * undo a send. The per-message queries of the delivery path (load a row, mark it queued, mark
 * it sent) are batched: calls made while the previous batch runs share one statement, so a busy
 * worker or console does one round trip for many messages.
 */
@Injectable()
export class OutboxRepository {
  private readonly loads = new MicroBatcher<string, OutboxMessage | null>((ids) => this.loadMany(ids), {
    maxSize: 200,
    maxConcurrent: 2,
  });
  private readonly queued = new MicroBatcher<{ id: string; now: Date }, void>((rows) => this.markQueuedMany(rows), {
    maxSize: 200,
  });
  private readonly sent = new MicroBatcher<SentMark, void>((rows) => this.markSentMany(rows), { maxSize: 200 });
  private readonly sentHooks: SentHook[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
  ) {}

  private repo(em?: EntityManager) {
    return (em ?? this.dataSource.manager).getRepository(OutboxMessage);
  }

  findById(id: string): Promise<OutboxMessage | null> {
    return this.loads.add(id);
  }

  private async loadMany(ids: string[]): Promise<Array<OutboxMessage | null>> {
    const rows = await this.repo().findBy({ id: In([...new Set(ids)]) });
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Each caller gets its own copy: the processor may change what it was given.
    return ids.map((id) => {
      const row = byId.get(id);
      return row ? { ...row, payload: row.payload ? { ...row.payload } : null } : null;
    });
  }

  async insert(em: EntityManager, row: OutboxMessage): Promise<void> {
    await insertRows(em, OutboxMessage, row);
  }

  /** The row as stored now, past the batcher: for a second look after a claim was refused. */
  findFresh(id: string): Promise<OutboxMessage | null> {
    return this.repo().findOneBy({ id });
  }

  /**
   * Moves a row from one status to another only if it is still in the first; true when it moved.
   * A row moved to `queued` is due at once.
   */
  async transition(id: string, from: OutboxStatus, to: OutboxStatus, now: Date): Promise<boolean> {
    const res = await this.tx.write((em) =>
      this.repo(em).update(
        { id, status: from },
        { status: to, updatedAt: now, ...(to === 'queued' && { dueAt: now }) },
      ),
    );
    return (res.affected ?? 0) > 0;
  }

  /**
   * Takes a row for one attempt: `sending`, attempts + 1, held until `leaseUntil`. One
   * conditional UPDATE on the attempts the caller saw, so of two runs of the same message only
   * one gets it; a `sending` row is taken over only once its lease ran out (its run died).
   */
  async claim(row: Pick<OutboxMessage, 'id' | 'attempts'>, now: Date, leaseUntil: Date): Promise<boolean> {
    const res = await this.tx.write((em) =>
      this.repo(em)
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status: 'sending', attempts: row.attempts + 1, dueAt: leaseUntil, updatedAt: now })
        .where('id = :id AND attempts = :attempts', { id: row.id, attempts: row.attempts })
        .andWhere("(status IN (:...claimable) OR (status = 'sending' AND due_at < :now))", {
          claimable: CLAIMABLE,
          now,
        })
        .execute(),
    );
    return (res.affected ?? 0) > 0;
  }

  /** A row handed to the queue: pending → queued (batched with the other dispatches of the moment). */
  markQueued(id: string, now: Date): Promise<void> {
    return this.queued.add({ id, now });
  }

  private async markQueuedMany(rows: Array<{ id: string; now: Date }>): Promise<void[]> {
    const now = rows[rows.length - 1].now;
    await this.tx.write((em) =>
      this.repo(em).update(
        { id: In(rows.map((r) => r.id)), status: 'pending' },
        { status: 'queued', updatedAt: now, dueAt: now },
      ),
    );
    return rows.map(() => undefined);
  }

  /**
   * Marks a row sent and clears its payload, unless it is already sent: whoever holds it now, a
   * send that happened is recorded. Batched with the other marks of the moment: one statement
   * for all of them (one per distinct attempt number), unless the caller gives its transaction.
   */
  markSent(id: string, attempts: number, now: Date, inTx?: EntityManager): Promise<void> {
    // In the caller's transaction, when the mark goes with other writes there (a webhook's attempt).
    if (inTx) return this.updateSent(inTx, [{ id, attempts, now }], now);
    return this.sent.add({ id, attempts, now });
  }

  /**
   * Adds work to every batch of sent marks, in the same transaction (see SentHook). With no hook
   * the marks need no transaction and no read: each batch is its UPDATE statements alone.
   */
  onSent(hook: SentHook): void {
    this.sentHooks.push(hook);
  }

  private async markSentMany(marks: SentMark[]): Promise<void[]> {
    const now = marks[marks.length - 1].now;
    if (this.sentHooks.length === 0) {
      await this.tx.write((em) => this.updateSent(em, marks, now));
    } else {
      await this.tx.run(async (tx) => {
        // The rows this batch moves, locked until the commit, so each is handed to the hooks once.
        const qb = this.repo(tx.em)
          .createQueryBuilder('o')
          .select('o.id', 'id')
          .where('o.id IN (:...ids) AND o.status <> :sent', { ids: marks.map((m) => m.id), sent: 'sent' });
        if (tx.em.connection.options.type !== 'better-sqlite3') qb.setLock('pessimistic_write');
        const open = await qb.getRawMany<{ id: string }>();
        const moving = new Set(open.map((r) => r.id));
        // A row marked twice in one batch (two runs of one job) moves, and is reported, once.
        const moved = marks.filter((m) => moving.delete(m.id));
        await this.updateSent(tx.em, moved, now);
        for (const hook of this.sentHooks) await hook(tx, moved);
      });
    }
    return marks.map(() => undefined);
  }

  /** `sent`, payload cleared, in one UPDATE per distinct attempt number (nearly always one). */
  private async updateSent(em: EntityManager, marks: SentMark[], now: Date): Promise<void> {
    const byAttempts = new Map<number, string[]>();
    for (const m of marks) byAttempts.set(m.attempts, [...(byAttempts.get(m.attempts) ?? []), m.id]);
    for (const [attempts, ids] of byAttempts) {
      await this.repo(em)
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status: 'sent', attempts, sentAt: now, updatedAt: now, lastError: null, payload: null, dueAt: null })
        .where('id IN (:...ids) AND status <> :sent', { ids: [...new Set(ids)], sent: 'sent' })
        .execute();
    }
  }

  /**
   * Ends the claimed attempt `attempts` in failure: `failed` with the next attempt due at
   * `dueAt`, or `dead`. Only while the claim is still this attempt's.
   */
  async markFailure(
    id: string,
    status: Extract<OutboxStatus, 'failed' | 'dead'>,
    attempts: number,
    error: string,
    now: Date,
    dueAt: Date | null = null,
    inTx?: EntityManager,
  ): Promise<void> {
    await this.inTxOr(inTx, (em) =>
      this.repo(em)
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status, lastError: error.slice(0, 500), updatedAt: now, dueAt: status === 'dead' ? null : dueAt })
        .where('id = :id AND status = :sending AND attempts = :attempts', { id, sending: 'sending', attempts })
        .execute(),
    );
  }

  /** In the caller's transaction when it gives one, else a write of its own. */
  private inTxOr<T>(em: EntityManager | undefined, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return em ? work(em) : this.tx.write(work);
  }

  /** Oldest rows in one of the statuses, last touched before `before`. */
  findStale(
    statuses: OutboxStatus[],
    before: Date,
    limit: number,
  ): Promise<Pick<OutboxMessage, 'id' | 'kind' | 'template' | 'status' | 'updatedAt'>[]> {
    return this.repo().find({
      select: ['id', 'kind', 'template', 'status', 'updatedAt'],
      where: { status: In(statuses), updatedAt: LessThan(before) },
      order: { updatedAt: 'ASC' },
      take: limit,
    });
  }

  /** Queued, failed or sending rows whose next step was due before `before`, the longest overdue first. */
  findOverdue(before: Date, limit: number): Promise<OverdueRow[]> {
    return this.repo().find({
      select: ['id', 'kind', 'template', 'status', 'dueAt'],
      where: { status: In(['queued', 'failed', 'sending']), dueAt: LessThan(before) },
      order: { dueAt: 'ASC' },
      take: limit,
    });
  }

  /** Queued, failed or sending rows after `afterId` in id order: a relay's pass over everything unfinished. */
  findUnfinished(afterId: string, limit: number): Promise<OverdueRow[]> {
    return this.repo().find({
      select: ['id', 'kind', 'template', 'status', 'dueAt'],
      where: { status: In(['queued', 'failed', 'sending']), id: MoreThan(afterId) },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  /**
   * A relay takes a row whose job is gone to queue it again: `queued`, due at `dueAt`.
   * Conditional on the status and due time it saw, so of several relays only one queues it.
   */
  async requeueOverdue(row: OverdueRow, dueAt: Date, now: Date): Promise<boolean> {
    const res = await this.tx.write((em) =>
      this.repo(em).update(
        { id: row.id, status: row.status, dueAt: row.dueAt ?? IsNull() },
        { status: 'queued', dueAt, updatedAt: now },
      ),
    );
    return (res.affected ?? 0) > 0;
  }

  /** An overdue row whose job is still on the queue (a backlog, not a loss): looked at again at `until`. */
  async postpone(row: OverdueRow, until: Date): Promise<void> {
    await this.tx.write((em) =>
      this.repo(em).update({ id: row.id, status: row.status, dueAt: row.dueAt ?? IsNull() }, { dueAt: until }),
    );
  }

  /** Rows not sent or dead whose next step was due before `before`: a lost-retry backlog when it grows. */
  countOverdue(before: Date): Promise<number> {
    return this.repo().countBy({ status: In(UNFINISHED), dueAt: LessThan(before) });
  }

  /** Dead rows back to pending with a fresh attempt count, for an operator's retry. */
  async resetDead(ids: string[] | 'all', now: Date): Promise<string[]> {
    const where = ids === 'all' ? { status: 'dead' as const } : { status: 'dead' as const, id: In(ids) };
    const rows = await this.repo().find({ select: ['id'], where });
    const reset: string[] = [];
    for (const { id } of rows) {
      const res = await this.tx.write((em) =>
        this.repo(em).update(
          { id, status: 'dead' },
          { status: 'pending', attempts: 0, lastError: null, updatedAt: now, dueAt: now },
        ),
      );
      if (res.affected) reset.push(id);
    }
    return reset;
  }

  async countByStatus(): Promise<StatusCounts> {
    const rows: Array<{ status: OutboxStatus; n: string | number }> = await this.repo()
      .createQueryBuilder('o')
      .select('o.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .groupBy('o.status')
      .getRawMany();
    const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as StatusCounts;
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }

  listDead(
    limit: number,
  ): Promise<Pick<OutboxMessage, 'id' | 'kind' | 'template' | 'recipient' | 'attempts' | 'lastError' | 'updatedAt'>[]> {
    return this.repo().find({
      select: ['id', 'kind', 'template', 'recipient', 'attempts', 'lastError', 'updatedAt'],
      where: { status: 'dead' },
      order: { updatedAt: 'DESC' },
      take: limit,
    });
  }

  /** Deletes rows sent before `before`; the audit trail keeps its own record. */
  async pruneSent(before: Date): Promise<number> {
    const res = await this.tx.write((em) => this.repo(em).delete({ status: 'sent', sentAt: LessThan(before) }));
    return res.affected ?? 0;
  }
}
