import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, ReauthRequiredProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Session, TransactionRunner, User } from '@lmp/database';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AuthService, LOCK_AFTER_FAILURES, lockDuration } from './auth.service';
import { PasswordHasher } from './password-hasher';
import { SessionMeta, SessionService } from './session.service';
import { UserRepository } from './user.repository';

/** Changes to sign-in methods need a proof of identity (sign-in, password, code) this recent. */
export const REAUTH_WINDOW_MS = 10 * 60_000;
/** Wrong passwords in a row inside one session before it ends. */
export const REAUTH_MAX_FAILURES = 5;

/** The session ended after too many wrong passwords in it: sign in again. */
export class ReauthSessionEnded extends UnauthorizedException {
  constructor() {
    super('Too many wrong passwords: this session has ended. Sign in again.');
  }
}

/**
 * The password (or a code) given again inside a signed-in session: to change the password or the
 * address, for recovery codes and 2FA removal, and to open the short "recently re-authenticated"
 * window that changes to sign-in methods need. A wrong one counts toward the account's sign-in
 * failures (the same lockout) and toward the session's own count, which ends the session after
 * a few: a stolen session cookie must not become a password-guessing oracle.
 */
@Injectable()
export class ReauthService {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly users: UserRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxWriter,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether the session's user proved who they are within the window. */
  isRecent(session: Pick<Session, 'reauthAt'>): boolean {
    return !!session.reauthAt && this.clock.now().getTime() - session.reauthAt.getTime() < REAUTH_WINDOW_MS;
  }

  /** 403 reauth-required for a change to sign-in methods when 2FA is on and the window has passed. */
  requireRecent(user: Pick<User, 'mfaEnabled'>, session: Pick<Session, 'reauthAt'>): void {
    if (user.mfaEnabled && !this.isRecent(session)) throw new ReauthRequiredProblem();
  }

  /**
   * Checks a password given inside the session. Right: the window restarts (returns true). Wrong:
   * counted and audited (returns false, for the caller's field error), or, at the last allowed
   * failure, the session ends (ReauthSessionEnded, a 401).
   */
  async checkPassword(
    user: User,
    session: Session,
    password: string,
    meta: SessionMeta,
    purpose: string,
  ): Promise<boolean> {
    if (await this.hasher.verify(user.passwordHash, password ?? '')) {
      await this.succeeded(user, session);
      return true;
    }
    await this.failed(user, session, meta, purpose);
    return false;
  }

  /** A right password or code: the window restarts and the in-session count goes back to zero. */
  async succeeded(user: User, session: Session, audit?: { meta: SessionMeta; via: string }): Promise<void> {
    const partnerId = audit ? await this.auth.partnerIdOf(user) : null;
    await this.tx.run(async ({ em }) => {
      session.reauthAt = await this.sessions.markReauthenticated(em, session.id);
      session.reauthFailures = 0;
      if (audit)
        await this.audit.record(em, {
          action: AuditAction.ReauthSucceeded,
          actorUserId: user.id,
          targetUserId: user.id,
          partnerId,
          customerId: user.customerId,
          ip: audit.meta.ip,
          detail: { via: audit.via },
        });
    });
  }

  /**
   * A wrong password or code inside the session. Both counters are raised in single statements
   * and decided from their stored values: the account's (the sign-in lockout) and the session's
   * (which ends it at REAUTH_MAX_FAILURES). Throws ReauthSessionEnded when the session is over.
   */
  async failed(user: User, session: Session, meta: SessionMeta, purpose: string): Promise<void> {
    // Read before the transaction: inside it, with the user's row locked, a second connection
    // from the pool could be the one that many parallel failures are all waiting for.
    const partnerId = await this.auth.partnerIdOf(user);
    const ended = await this.tx.run(async (tx) => {
      const now = this.clock.now();
      // The same statements as a failed sign-in: one atomic increment, the lock decided from it.
      const failures = (await this.users.countFailure(tx.em, user.id)) ?? 0;
      const lockStarts =
        failures >= LOCK_AFTER_FAILURES &&
        (await this.users.lockUnlessLocked(tx.em, user.id, new Date(now.getTime() + lockDuration(failures)), now));
      if (lockStarts) {
        await this.outbox.mail(tx, MailTemplate.AccountLocked, user.email, {
          firstName: user.firstName || user.email,
          minutes: Math.round(lockDuration(failures) / 60_000),
          forgotPasswordLink: `${this.config.publicUrl}/forgot-password`,
        });
      }
      const inSession = await this.sessions.countReauthFailure(tx.em, session.id);
      const sessionEnded = inSession >= REAUTH_MAX_FAILURES;
      if (sessionEnded) await this.sessions.destroyOneForUser(tx.em, user.id, session.id);
      await this.audit.record(tx.em, {
        action: AuditAction.ReauthFailed,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId,
        customerId: user.customerId,
        ip: meta.ip,
        detail: {
          purpose,
          failuresInSession: Math.min(inSession, REAUTH_MAX_FAILURES),
          sessionEnded,
          ...(lockStarts ? { lockedForMinutes: lockDuration(failures) / 60_000 } : {}),
        },
      });
      return sessionEnded;
    });
    if (ended) throw new ReauthSessionEnded();
  }
}
