import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { OutboxMessage, OutboxStatus, TransactionRunner } from '@lmp/database';
import { MicroBatcher } from './micro-batcher';

export type StatusCounts = Record<OutboxStatus, number>;

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
  private readonly sends = new MicroBatcher<{ id: string; attempts: number; now: Date }, void>(
    (rows) => this.markSentMany(rows),
    { maxSize: 200 },
  );
  private readonly queued = new MicroBatcher<{ id: string; now: Date }, void>((rows) => this.markQueuedMany(rows), {
    maxSize: 200,
  });

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
    await this.repo(em).insert(row);
  }

  /** Moves a row from one status to another only if it is still in the first; true when it moved. */
  async transition(id: string, from: OutboxStatus, to: OutboxStatus, now: Date): Promise<boolean> {
    const res = await this.tx.write((em) => this.repo(em).update({ id, status: from }, { status: to, updatedAt: now }));
    return (res.affected ?? 0) > 0;
  }

  /** A row handed to the queue: pending → queued (batched with the other dispatches of the moment). */
  markQueued(id: string, now: Date): Promise<void> {
    return this.queued.add({ id, now });
  }

  private async markQueuedMany(rows: Array<{ id: string; now: Date }>): Promise<void[]> {
    const now = rows[rows.length - 1].now;
    await this.tx.write((em) =>
      this.repo(em).update({ id: In(rows.map((r) => r.id)), status: 'pending' }, { status: 'queued', updatedAt: now }),
    );
    return rows.map(() => undefined);
  }

  /** Marks a row sent and clears its payload, unless it is already sent. */
  markSent(id: string, attempts: number, now: Date): Promise<void> {
    return this.sends.add({ id, attempts, now });
  }

  /** One UPDATE per distinct attempt count (nearly always one) for the rows sent meanwhile. */
  private async markSentMany(rows: Array<{ id: string; attempts: number; now: Date }>): Promise<void[]> {
    const byAttempts = new Map<number, string[]>();
    for (const r of rows) byAttempts.set(r.attempts, [...(byAttempts.get(r.attempts) ?? []), r.id]);
    const now = rows[rows.length - 1].now;
    for (const [attempts, ids] of byAttempts) {
      await this.tx.write((em) =>
        this.repo(em)
          .createQueryBuilder()
          .update(OutboxMessage)
          .set({ status: 'sent', attempts, sentAt: now, updatedAt: now, lastError: null, payload: null })
          .where('id IN (:...ids) AND status <> :sent', { ids, sent: 'sent' })
          .execute(),
      );
    }
    return rows.map(() => undefined);
  }

  async markFailure(
    id: string,
    status: Extract<OutboxStatus, 'failed' | 'dead'>,
    attempts: number,
    error: string,
    now: Date,
  ): Promise<void> {
    await this.tx.write((em) =>
      this.repo(em)
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status, attempts, lastError: error.slice(0, 500), updatedAt: now })
        .where('id = :id AND status <> :sent', { id, sent: 'sent' })
        .execute(),
    );
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

  /** Re-stamps a row so that other relays leave it alone; false when someone else got there first. */
  async touch(id: string, status: OutboxStatus, seen: Date, now: Date): Promise<boolean> {
    const res = await this.tx.write((em) => this.repo(em).update({ id, status, updatedAt: seen }, { updatedAt: now }));
    return (res.affected ?? 0) > 0;
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
          { status: 'pending', attempts: 0, lastError: null, updatedAt: now },
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
    const counts: StatusCounts = { pending: 0, queued: 0, sent: 0, failed: 0, dead: 0 };
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
