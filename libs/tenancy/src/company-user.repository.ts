import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { User } from '@lmp/database';

/**
 * A customer company's own users, for its full-access users. Every query takes the customer id
 * of the signed-in user: another company's user is never found.
 */
@Injectable()
export class CompanyUserRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(em?: EntityManager) {
    return (em ?? this.dataSource.manager).getRepository(User);
  }

  list(customerId: string): Promise<User[]> {
    return this.repo().find({ where: { customerId }, order: { email: 'ASC' }, take: 1000 });
  }

  findOne(customerId: string, userId: string, em?: EntityManager): Promise<User | null> {
    return this.repo(em).findOneBy({ customerId, id: userId });
  }

  /**
   * The company's full-access users that can still sign in. On MySQL their rows are locked, so
   * two concurrent demotions cannot both see "one other admin left".
   */
  async fullAccessUsers(em: EntityManager, customerId: string): Promise<User[]> {
    const qb = em
      .getRepository(User)
      .createQueryBuilder('u')
      .where("u.customer_id = :customerId AND u.role = 'full_access' AND u.status <> 'disabled'", { customerId });
    if (em.connection.options.type !== 'better-sqlite3') qb.setLock('pessimistic_write');
    return qb.getMany();
  }

  async setRole(em: EntityManager, customerId: string, userId: string, role: User['role'], now: Date): Promise<void> {
    await this.repo(em).update({ customerId, id: userId }, { role, updatedAt: now });
  }

  async remove(em: EntityManager, customerId: string, userId: string): Promise<void> {
    await this.repo(em).delete({ customerId, id: userId });
  }
}
