import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { User } from '@lmp/database';

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

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
   * The user's row, locked for the rest of the transaction on MySQL (SQLite transactions are
   * serialised already), so that two requests changing one user's credentials take turns.
   */
  findForUpdate(em: EntityManager, id: string): Promise<User | null> {
    const qb = this.repo(em).createQueryBuilder('u').where('u.id = :id', { id });
    if (em.connection.options.type !== 'better-sqlite3') qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  async insert(em: EntityManager, user: User): Promise<void> {
    await this.repo(em).insert(user);
  }

  async update(em: EntityManager, id: string, changes: Partial<User>): Promise<void> {
    await this.repo(em).update({ id }, changes);
  }
}
