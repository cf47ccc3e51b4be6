import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { Clock } from '@lmp/common';
import { ActionToken, newId, randomSecret, sha256Hex, TokenPurpose, User } from '@lmp/database';

/** How long each kind of emailed link lives. */
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  password_reset: 60 * 60_000,
  invitation: 72 * 3600_000,
  email_verify: 24 * 3600_000,
  email_change: 24 * 3600_000,
  login_code: 10 * 60_000,
  not_me: 7 * 24 * 3600_000,
};

export interface IssuedToken {
  /** The secret for the link: only ever in the email, never stored. */
  raw: string;
  token: ActionToken;
}

export type TokenState = 'valid' | 'used' | 'expired' | 'voided';

export function tokenState(token: Pick<ActionToken, 'usedAt' | 'voidedAt' | 'expiresAt'>, now: Date): TokenState {
  if (token.usedAt) return 'used';
  if (token.voidedAt) return 'voided';
  if (token.expiresAt <= now) return 'expired';
  return 'valid';
}

/** Single-use, short-lived tokens stored as SHA-256. A new one voids the older ones of its kind. */
@Injectable()
export class TokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async issue(
    em: EntityManager,
    input: {
      userId: string;
      purposes: TokenPurpose[];
      purpose: TokenPurpose;
      requestedBy?: string | null;
      /** The outbox message that will carry the link, when its id is chosen first (saves attachOutbox). */
      outboxId?: string;
      /** The address the link is mailed to, where it matters later ("this wasn't me"). */
      sentTo?: string;
    },
  ): Promise<IssuedToken> {
    const now = this.clock.now();
    // Older unused links of the same kinds stop working: only the newest email counts.
    // On MySQL the user's row is locked first so that two requests for one user take turns, in
    // the same statement that finds the open links (a LEFT JOIN reads the user's row before its
    // links, so the lock order stays user, then links); the old links are then voided by primary
    // key, which takes no gap locks (a range update on the (user_id, purpose) index deadlocked
    // concurrent requests for different users on InnoDB). SQLite transactions are serialised.
    if (em.connection.options.type !== 'better-sqlite3') {
      const rows: Array<{ tokenId: string | null }> = await em
        .getRepository(User)
        .createQueryBuilder('u')
        .select('t.id', 'tokenId')
        .leftJoin(
          ActionToken,
          't',
          't.user_id = u.id AND t.purpose IN (:...purposes) AND t.used_at IS NULL AND t.voided_at IS NULL',
          { purposes: input.purposes },
        )
        .setLock('pessimistic_write')
        .where('u.id = :id', { id: input.userId })
        .getRawMany();
      await this.voidByIds(
        em,
        rows.flatMap((r) => (r.tokenId ? [r.tokenId] : [])),
      );
    } else {
      await this.voidOpen(em, input.userId, input.purposes);
    }
    const raw = randomSecret();
    const token: ActionToken = {
      id: newId(),
      userId: input.userId,
      purpose: input.purpose,
      tokenHash: sha256Hex(raw),
      expiresAt: new Date(now.getTime() + TOKEN_TTL_MS[input.purpose]),
      usedAt: null,
      voidedAt: null,
      requestedBy: input.requestedBy ?? null,
      sentTo: input.sentTo ?? null,
      outboxId: input.outboxId ?? null,
      createdAt: now,
    };
    await em.insert(ActionToken, token);
    return { raw, token };
  }

  /**
   * Voids the user's unused links of these kinds (every kind when none are given), by primary
   * key: a disabled account's links must not work again when it is enabled.
   */
  async voidOpen(em: EntityManager, userId: string, purposes?: TokenPurpose[]): Promise<number> {
    const open = await em.find(ActionToken, {
      select: ['id'],
      where: { userId, ...(purposes ? { purpose: In(purposes) } : {}), usedAt: IsNull(), voidedAt: IsNull() },
    });
    await this.voidByIds(
      em,
      open.map((t) => t.id),
    );
    return open.length;
  }

  private async voidByIds(em: EntityManager, ids: string[]): Promise<void> {
    if (ids.length) await em.update(ActionToken, { id: In(ids) }, { voidedAt: this.clock.now() });
  }

  async attachOutbox(em: EntityManager, tokenId: string, outboxId: string): Promise<void> {
    await em.update(ActionToken, { id: tokenId }, { outboxId });
  }

  /** Looks a token up without spending it (for pages that mail scanners may open). */
  async findValid(raw: string, purposes: TokenPurpose[]): Promise<ActionToken | null> {
    if (!isWellFormed(raw)) return null;
    const token = await this.dataSource.getRepository(ActionToken).findOneBy({ tokenHash: sha256Hex(raw) });
    if (!token || !purposes.includes(token.purpose)) return null;
    return tokenState(token, this.clock.now()) === 'valid' ? token : null;
  }

  /**
   * Spends a token inside the caller's transaction. The conditional update makes two
   * concurrent uses of one link end with exactly one winner.
   */
  async consume(em: EntityManager, raw: string, purposes: TokenPurpose[]): Promise<ActionToken | null> {
    if (!isWellFormed(raw)) return null;
    const token = await em.getRepository(ActionToken).findOneBy({ tokenHash: sha256Hex(raw) });
    const now = this.clock.now();
    if (!token || !purposes.includes(token.purpose) || tokenState(token, now) !== 'valid') return null;
    const res = await em
      .createQueryBuilder()
      .update(ActionToken)
      .set({ usedAt: now })
      .where('id = :id AND used_at IS NULL AND voided_at IS NULL', { id: token.id })
      .execute();
    if ((res.affected ?? 0) !== 1) return null;
    token.usedAt = now;
    return token;
  }
}

/** 32 bytes in base64url are 43 characters. Anything else is refused before any query. */
export function isWellFormed(raw: unknown): raw is string {
  return typeof raw === 'string' && /^[A-Za-z0-9_-]{43}$/.test(raw);
}
