import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundProblem } from '@lmp/common';
import { Partner } from '@lmp/database';

/** How long a partner's name is kept for the emails that carry it (partners are rarely renamed). */
const NAME_TTL_MS = 60_000;

/** The tenant row itself; read by its own id only. */
@Injectable()
export class PartnerRepository {
  private readonly names = new Map<string, { name: string; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  findOne(partnerId: string): Promise<Partner | null> {
    return this.dataSource.getRepository(Partner).findOneBy({ id: partnerId });
  }

  async update(
    em: EntityManager,
    partnerId: string,
    changes: Partial<Pick<Partner, 'requireStaffMfa' | 'licenseNotices' | 'licenseNoticeDays' | 'licenseGraceDays'>>,
  ): Promise<void> {
    await em.update(Partner, { id: partnerId }, changes);
  }

  /** The partner's name, read at most once a minute per partner: it goes into every reset email. */
  async nameOf(partnerId: string): Promise<string> {
    const kept = this.names.get(partnerId);
    if (kept && kept.until > Date.now()) return kept.name;
    const partner = await this.findOne(partnerId);
    if (!partner) throw new NotFoundProblem('partner');
    this.names.set(partnerId, { name: partner.name, until: Date.now() + NAME_TTL_MS });
    return partner.name;
  }
}
