import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { OutboxMessage, OutboxStatus, TransactionRunner } from '@lmp/database';

export type StatusCounts = Record<OutboxStatus, number>;

/** The outbox queries. Status moves only through conditional updates, so racing writers cannot undo a send. */
@Injectable()
export class OutboxRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
  ) {}

  private repo(em?: EntityManager) {
    return (em ?? this.dataSource.manager).getRepository(OutboxMessage);
  }

  findById(id: string): Promise<OutboxMessage | null> {
    return this.repo().findOneBy({ id });
  }

  async insert(em: EntityManager, row: OutboxMessage): Promise<void> {
    await this.repo(em).insert(row);
  }

  /** Moves a row from one status to another only if it is still in the first; true when it moved. */
  async transition(id: string, from: OutboxStatus, to: OutboxStatus, now: Date): Promise<boolean> {
    const res = await this.tx.write((em) => this.repo(em).update({ id, status: from }, { status: to, updatedAt: now }));
    return (res.affected ?? 0) > 0;
  }

  /** Marks a row sent and clears its payload, unless it is already sent. */
  async markSent(id: string, attempts: number, now: Date): Promise<boolean> {
    const res = await this.tx.write((em) =>
      this.repo(em)
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status: 'sent', attempts, sentAt: now, updatedAt: now, lastError: null, payload: null })
        .where('id = :id AND status <> :sent', { id, sent: 'sent' })
        .execute(),
    );
    return (res.affected ?? 0) > 0;
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
