import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, Not } from 'typeorm';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { insertRows, randomSecret, Session, sha256Hex, TransactionRunner, User } from '@lmp/database';

export const SESSION_COOKIE = 'lmp_session';
/** A session ends after 8 hours without use, and after 7 days whatever happens. */
export const SESSION_IDLE_MS = 8 * 3600_000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;
const TOUCH_EVERY_MS = 60_000;
/** A pending sign-in (password given, second factor not yet) lasts this long. */
export const PENDING_SESSION_MS = 10 * 60_000;
export const PENDING_COOKIE = 'lmp_mfa_pending';

export interface SessionMeta {
  ip?: string | null;
  userAgent?: string | null;
  /** The `lmp_device` cookie: proof that this browser signed in to an account before. */
  deviceProof?: string | null;
}

export interface ResolvedSession {
  session: Session;
  user: User;
}

/**
 * Server-side sessions. The cookie holds 32 random bytes; the database holds their SHA-256,
 * so a stolen table does not give working cookies.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.config.secureCookies,
      path: '/',
    };
  }

  /**
   * Starts a session. Returns the cookie value; it is never stored. A session with `mfaPassed`
   * false is a pending sign-in: it lives a few minutes and only the second step accepts it.
   */
  async create(
    userId: string,
    meta: SessionMeta,
    mfaPassed: boolean,
    em?: EntityManager,
    opts: { mfaSetupRequired?: boolean } = {},
  ): Promise<string> {
    const raw = randomSecret();
    const now = this.clock.now();
    const row: Session = {
      id: sha256Hex(raw),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + (mfaPassed ? SESSION_IDLE_MS : PENDING_SESSION_MS)),
      mfaPassed,
      mfaSetupRequired: opts.mfaSetupRequired ?? false,
      mfaFailures: 0,
      // A full sign-in is a proof of identity: the re-authentication window starts with it.
      reauthAt: mfaPassed ? now : null,
      reauthFailures: 0,
      ip: meta.ip?.slice(0, 64) ?? null,
      userAgent: meta.userAgent?.slice(0, 255) ?? null,
    };
    if (em) await insertRows(em, Session, row);
    else await this.tx.write((m) => insertRows(m, Session, row));
    return raw;
  }

  /**
   * The live, fully signed-in session and its active user for a cookie value, or null. Slides
   * the idle expiry. A pending sign-in (password only, code not yet given) is never returned.
   */
  async resolve(raw: string | undefined): Promise<ResolvedSession | null> {
    const found = await this.find(raw);
    if (!found || !found.session.mfaPassed) return null;
    return this.touch(found);
  }

  /** A pending sign-in waiting for its second step, or null. Its expiry does not slide. */
  async resolvePending(raw: string | undefined): Promise<ResolvedSession | null> {
    const found = await this.find(raw);
    return found && !found.session.mfaPassed ? found : null;
  }

  /** Counts a wrong code against a pending sign-in; returns how many there were. */
  async countPendingFailure(sessionId: string): Promise<number> {
    return this.tx.run(async ({ em }) => {
      await em.increment(Session, { id: sessionId, mfaPassed: false }, 'mfaFailures', 1);
      const row = await em.findOne(Session, { select: ['mfaFailures'], where: { id: sessionId } });
      return row?.mfaFailures ?? Number.MAX_SAFE_INTEGER;
    });
  }

  /**
   * Counts a wrong password given inside a session, in one statement, and returns the stored
   * count (MAX_SAFE_INTEGER when the session is gone), so parallel requests cannot outrun it.
   */
  async countReauthFailure(em: EntityManager, sessionId: string): Promise<number> {
    await em.increment(Session, { id: sessionId }, 'reauthFailures', 1);
    const row = await em.findOne(Session, { select: ['reauthFailures'], where: { id: sessionId } });
    return row?.reauthFailures ?? Number.MAX_SAFE_INTEGER;
  }

  /** The user proved who they are again in this session: the window restarts, the count too. */
  async markReauthenticated(em: EntityManager, sessionId: string): Promise<Date> {
    const now = this.clock.now();
    await em.update(Session, { id: sessionId }, { reauthAt: now, reauthFailures: 0 });
    return now;
  }

  private async find(raw: string | undefined): Promise<ResolvedSession | null> {
    if (!raw || raw.length > 100) return null;
    const id = sha256Hex(raw);
    // The session and its user in one query: every signed-in request starts here.
    const session: (Session & { user?: User }) | null = await this.dataSource
      .getRepository(Session)
      .createQueryBuilder('s')
      .leftJoinAndMapOne('s.user', User, 'u', 'u.id = s.user_id')
      .where('s.id = :id', { id })
      .getOne();
    if (!session) return null;
    const user = session.user;
    delete session.user;
    const now = this.clock.now();
    if (session.expiresAt <= now || session.createdAt.getTime() + SESSION_ABSOLUTE_MS <= now.getTime()) {
      await this.tx.write((em) => em.delete(Session, { id }));
      return null;
    }
    if (!user || user.status !== 'active') return null;
    return { session, user };
  }

  private async touch({ session, user }: ResolvedSession): Promise<ResolvedSession> {
    const id = session.id;
    const now = this.clock.now();
    if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      const expiresAt = new Date(
        Math.min(now.getTime() + SESSION_IDLE_MS, session.createdAt.getTime() + SESSION_ABSOLUTE_MS),
      );
      await this.tx.write((em) => em.update(Session, { id }, { lastSeenAt: now, expiresAt }));
      session.lastSeenAt = now;
      session.expiresAt = expiresAt;
    }
    return { session, user };
  }

  async destroy(raw: string): Promise<void> {
    await this.tx.write((em) => em.delete(Session, { id: sha256Hex(raw) }));
  }

  /** The user's live sessions, most recently used first. */
  async listForUser(userId: string): Promise<Session[]> {
    const rows = await this.dataSource
      .getRepository(Session)
      .find({ where: { userId }, order: { lastSeenAt: 'DESC' } });
    const now = this.clock.now().getTime();
    return rows.filter(
      (s) => s.mfaPassed && s.expiresAt.getTime() > now && s.createdAt.getTime() + SESSION_ABSOLUTE_MS > now,
    );
  }

  /** Ends one session of a user; false when the user has no such session. */
  async destroyOneForUser(em: EntityManager, userId: string, sessionId: string): Promise<boolean> {
    const res = await em.delete(Session, { id: sessionId, userId });
    return (res.affected ?? 0) > 0;
  }

  /** Ends every session of a user, except one when given (the one that made the change). */
  async destroyAllForUser(em: EntityManager, userId: string, exceptSessionId?: string): Promise<void> {
    await em.delete(Session, exceptSessionId ? { userId, id: Not(exceptSessionId) } : { userId });
  }
}
