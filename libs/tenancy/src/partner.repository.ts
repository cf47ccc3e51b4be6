import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Partner } from '@lmp/database';

/** The tenant row itself; read by its own id only. */
@Injectable()
export class PartnerRepository {
  constructor(private readonly dataSource: DataSource) {}

  findOne(partnerId: string): Promise<Partner | null> {
    return this.dataSource.getRepository(Partner).findOneBy({ id: partnerId });
  }
}
