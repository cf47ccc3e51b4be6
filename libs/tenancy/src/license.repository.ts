import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { License } from '@lmp/database';

/** Licenses, reached only through a customer of the given partner. */
@Injectable()
export class LicenseRepository {
  constructor(private readonly dataSource: DataSource) {}

  list(partnerId: string, customerId: string): Promise<License[]> {
    return this.dataSource
      .getRepository(License)
      .createQueryBuilder('l')
      .innerJoin('customers', 'c', 'c.id = l.customer_id')
      .where('c.partner_id = :partnerId AND l.customer_id = :customerId', { partnerId, customerId })
      .orderBy('l.expires_at', 'ASC')
      .getMany();
  }

  async insert(em: EntityManager, license: License): Promise<void> {
    await em.insert(License, license);
  }
}
