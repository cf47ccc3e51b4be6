import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import { offsetOf, Page, PageRequest } from '@lmp/common';
import { Customer, License, User } from '@lmp/database';
import { likeEscape } from './like';

export interface CustomerListQuery extends PageRequest {
  q?: string;
  sort: { field: 'company_name' | 'created_at' | 'country'; direction: 'ASC' | 'DESC' };
}

export interface CustomerRow extends Customer {
  accountCount: number;
  licenseCount: number;
}

/**
 * Customer queries. Every method takes the partner id first: there is no way to read a
 * customer without naming the tenant, so a foreign id finds nothing.
 */
@Injectable()
export class CustomerRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(em?: EntityManager) {
    return (em ?? this.dataSource.manager).getRepository(Customer);
  }

  findOne(partnerId: string, customerId: string, em?: EntityManager): Promise<Customer | null> {
    return this.repo(em).findOneBy({ partnerId, id: customerId });
  }

  async insert(em: EntityManager, customer: Customer): Promise<void> {
    await this.repo(em).insert(customer);
  }

  async update(
    em: EntityManager,
    partnerId: string,
    customerId: string,
    changes: Partial<Pick<Customer, 'companyName' | 'country' | 'status' | 'updatedAt'>>,
  ): Promise<void> {
    await this.repo(em).update({ partnerId, id: customerId }, changes);
  }

  /** Company names by id, for the partner's own customers among `ids` only. */
  async namesOf(partnerId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.repo().find({
      select: ['id', 'companyName'],
      where: { partnerId, id: In([...new Set(ids)]) },
    });
    return new Map(rows.map((c) => [c.id, c.companyName]));
  }

  async list(partnerId: string, query: CustomerListQuery): Promise<Page<CustomerRow>> {
    const qb = this.repo().createQueryBuilder('c').where('c.partner_id = :partnerId', { partnerId });
    const q = query.q?.trim();
    if (q) {
      // A company name containing the text (a prefix is a special case), or any of the company's
      // accounts with an email containing it. Emails are stored lower-cased; the subquery runs on
      // the (customer_id, email) index for each candidate customer.
      qb.andWhere(
        new Brackets((or) =>
          or
            .where("c.company_name LIKE :contains ESCAPE '!'", { contains: `%${likeEscape(q)}%` })
            .orWhere(
              `EXISTS (SELECT 1 FROM users u WHERE u.customer_id = c.id AND u.email LIKE :emailContains ESCAPE '!')`,
              { emailContains: `%${likeEscape(q.toLowerCase())}%` },
            ),
        ),
      );
    }
    const [customers, total] = await qb
      .orderBy(`c.${query.sort.field}`, query.sort.direction)
      .addOrderBy('c.id', 'ASC')
      .skip(offsetOf(query))
      .take(query.pageSize)
      .getManyAndCount();
    const counts = await this.counts(customers.map((c) => c.id));
    const items = customers.map((c) => ({
      ...c,
      accountCount: counts.accounts.get(c.id) ?? 0,
      licenseCount: counts.licenses.get(c.id) ?? 0,
    }));
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  /** Accounts and licenses per customer, for one page of customers only. */
  async counts(ids: string[]): Promise<{ accounts: Map<string, number>; licenses: Map<string, number> }> {
    const accounts = new Map<string, number>();
    const licenses = new Map<string, number>();
    if (ids.length === 0) return { accounts, licenses };
    const count = async (entity: typeof User | typeof License, into: Map<string, number>) => {
      const rows: Array<{ id: string; n: string | number }> = await this.dataSource
        .getRepository(entity)
        .createQueryBuilder('x')
        .select('x.customer_id', 'id')
        .addSelect('COUNT(*)', 'n')
        .where({ customerId: In(ids) })
        .groupBy('x.customer_id')
        .getRawMany();
      for (const r of rows) into.set(r.id, Number(r.n));
    };
    await Promise.all([count(User, accounts), count(License, licenses)]);
    return { accounts, licenses };
  }
}
