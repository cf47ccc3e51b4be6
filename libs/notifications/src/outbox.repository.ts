import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { OutboxMessage, OutboxStatus, TransactionRunner } from '@lmp/database';

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

  /** pending -> queued; a row the worker already moved on stays where it is. */
  async markQueued(id: string, now: Date): Promise<boolean> {
    const res = await this.tx.write((em) =>
      this.repo(em).update({ id, status: 'pending' }, { status: 'queued', updatedAt: now }),
    );
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
  ) {
    await this.tx.write((em) =>
      this.repo(em)
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status, attempts, lastError: error.slice(0, 500), updatedAt: now })
        .where('id = :id AND status <> :sent', { id, sent: 'sent' })
        .execute(),
    );
  }

  statusOf(ids: string[]): Promise<Pick<OutboxMessage, 'id' | 'status' | 'lastError' | 'sentAt'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.repo().find({ select: ['id', 'status', 'lastError', 'sentAt'], where: { id: In(ids) } });
  }
}
