import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, LessThan } from 'typeorm';
import { ApiToken, User } from '@lmp/database';

/** A token with the email of the admin who created it. */
export interface ApiTokenRow extends ApiToken {
  createdByEmail: string | null;
}

/** The queries of partner API tokens: every one but the lookup by hash is scoped to a partner. */
@Injectable()
export class ApiTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, token: ApiToken): Promise<void> {
    await em.insert(ApiToken, token);
  }

  /** The token whose secret hashes to `tokenHash` (unique index), whatever its partner. */
  findByHash(tokenHash: string): Promise<ApiToken | null> {
    return this.dataSource.getRepository(ApiToken).findOneBy({ tokenHash });
  }

  findOne(partnerId: string, id: string, em?: EntityManager): Promise<ApiToken | null> {
    return (em ?? this.dataSource.manager).findOneBy(ApiToken, { partnerId, id });
  }

  /** The partner's tokens, newest first, revoked and expired ones included. */
  async list(partnerId: string): Promise<ApiTokenRow[]> {
    const tokens = await this.dataSource
      .getRepository(ApiToken)
      .find({ where: { partnerId }, order: { createdAt: 'DESC', id: 'DESC' }, take: 500 });
    const creators = [...new Set(tokens.map((t) => t.createdBy))];
    const users = creators.length
      ? await this.dataSource.getRepository(User).find({ select: ['id', 'email'], where: { id: In(creators) } })
      : [];
    const emails = new Map(users.map((u) => [u.id, u.email]));
    return tokens.map((t) => ({ ...t, createdByEmail: emails.get(t.createdBy) ?? null }));
  }

  /** Revokes the partner's token unless it already is: true when this call revoked it. */
  async revoke(em: EntityManager, partnerId: string, id: string, by: string, now: Date): Promise<boolean> {
    const res = await em.update(ApiToken, { partnerId, id, revokedAt: IsNull() }, { revokedAt: now, revokedBy: by });
    return (res.affected ?? 0) > 0;
  }

  /**
   * Records a use: one conditional UPDATE that changes the row only when its last recorded use is
   * older than `staleBefore`, so a busy token is written at most once per interval.
   */
  async touch(id: string, now: Date, ip: string | null, staleBefore: Date): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(ApiToken)
      .set({ lastUsedAt: now, lastUsedIp: ip })
      .where([
        { id, lastUsedAt: IsNull() },
        { id, lastUsedAt: LessThan(staleBefore) },
      ])
      .execute();
  }

  /** The partner's admins who can still sign in: they hear of every created or revoked token. */
  admins(em: EntityManager, partnerId: string): Promise<User[]> {
    return em.findBy(User, { partnerId, role: 'partner_admin', status: 'active' });
  }
}
