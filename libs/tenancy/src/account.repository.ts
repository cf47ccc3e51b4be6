import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { offsetOf, Page, PageRequest } from '@lmp/common';
import { ReadReplicas, User } from '@lmp/database';
import { likeEscape } from './like';

/**
 * A customer's user accounts, reached only through a customer of the given partner:
 * the join on customers.partner_id is in every query.
 */
@Injectable()
export class AccountRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly replicas: ReadReplicas,
  ) {}

  private scoped(partnerId: string, customerId: string, em?: EntityManager) {
    return (em ?? this.dataSource.manager)
      .getRepository(User)
      .createQueryBuilder('u')
      .innerJoin('customers', 'c', 'c.id = u.customer_id')
      .where('c.partner_id = :partnerId AND u.customer_id = :customerId', { partnerId, customerId });
  }

  findOne(partnerId: string, customerId: string, accountId: string, em?: EntityManager): Promise<User | null> {
    return this.scoped(partnerId, customerId, em).andWhere('u.id = :accountId', { accountId }).getOne();
  }

  /** Changes an account of one of the partner's customers; the tenant is in the WHERE clause too. */
  async update(
    em: EntityManager,
    partnerId: string,
    customerId: string,
    accountId: string,
    changes: Partial<Pick<User, 'firstName' | 'lastName' | 'role' | 'status' | 'updatedAt'>>,
  ): Promise<void> {
    await em
      .createQueryBuilder()
      .update(User)
      .set(changes)
      .where('id = :accountId AND customer_id = :customerId', { accountId, customerId })
      .andWhere('customer_id IN (SELECT c.id FROM customers c WHERE c.partner_id = :partnerId)', { partnerId })
      .execute();
  }

  /** The accounts tab: a browse read, on a read replica when there is a usable one. */
  list(partnerId: string, customerId: string, query: PageRequest & { q?: string }): Promise<Page<User>> {
    return this.replicas.read((em) => this.listOn(em, partnerId, customerId, query));
  }

  private async listOn(
    em: EntityManager,
    partnerId: string,
    customerId: string,
    query: PageRequest & { q?: string },
  ): Promise<Page<User>> {
    const qb = this.scoped(partnerId, customerId, em);
    const q = query.q?.trim();
    if (q) {
      const contains = `%${likeEscape(q.toLowerCase())}%`;
      qb.andWhere(
        "(u.email LIKE :contains ESCAPE '!' OR u.first_name LIKE :contains ESCAPE '!' OR u.last_name LIKE :contains ESCAPE '!')",
        { contains },
      );
    }
    const offset = offsetOf(query);
    const items = await qb.clone().orderBy('u.email', 'ASC').offset(offset).limit(query.pageSize).getMany();
    // A page that is not full (and not past the end) tells the total: most customers have one page.
    const total =
      items.length < query.pageSize && (items.length > 0 || offset === 0) ? offset + items.length : await qb.getCount();
    return { items, total, page: query.page, pageSize: query.pageSize };
  }
}
