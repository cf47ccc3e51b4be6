import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { License, ReadReplicas } from '@lmp/database';

/** Licenses, reached only through a customer of the given partner. */
@Injectable()
export class LicenseRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly replicas: ReadReplicas,
  ) {}

  private scoped(partnerId: string, customerId: string, em?: EntityManager) {
    return (em ?? this.dataSource.manager)
      .getRepository(License)
      .createQueryBuilder('l')
      .innerJoin('customers', 'c', 'c.id = l.customer_id')
      .where('c.partner_id = :partnerId AND l.customer_id = :customerId', { partnerId, customerId });
  }

  /** A customer's licenses tab: a browse read, on a read replica when there is a usable one. */
  list(partnerId: string, customerId: string): Promise<License[]> {
    return this.replicas.read((em) =>
      this.scoped(partnerId, customerId, em).orderBy('l.expires_at', 'ASC').addOrderBy('l.id', 'ASC').getMany(),
    );
  }

  findOne(partnerId: string, customerId: string, licenseId: string, em?: EntityManager): Promise<License | null> {
    return this.scoped(partnerId, customerId, em).andWhere('l.id = :licenseId', { licenseId }).getOne();
  }

  /** Changes a license of one of the partner's customers; the tenant is in the WHERE clause too. */
  async update(
    em: EntityManager,
    partnerId: string,
    customerId: string,
    licenseId: string,
    changes: Partial<Pick<License, 'product' | 'seats' | 'startsAt' | 'expiresAt' | 'status'>>,
  ): Promise<void> {
    await em
      .createQueryBuilder()
      .update(License)
      .set(changes)
      .where('id = :licenseId AND customer_id = :customerId', { licenseId, customerId })
      .andWhere('customer_id IN (SELECT c.id FROM customers c WHERE c.partner_id = :partnerId)', { partnerId })
      .execute();
  }

  async insert(em: EntityManager, license: License): Promise<void> {
    await em.insert(License, license);
  }
}
