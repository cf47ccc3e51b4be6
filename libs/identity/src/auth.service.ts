import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, RateLimitedProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Customer, Partner, TransactionRunner, Tx, User } from '@lmp/database';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { PasswordHasher } from './password-hasher';
import { RateLimitStore } from './rate-limit.store';
import { SessionMeta, SessionService } from './session.service';
import { normalizeEmail, UserRepository } from './user.repository';
import { toUserView, UserView } from './user-view';

export interface SessionDescription {
  user: UserView;
  partner?: { id: string; code: string; name: string };
  customer?: { id: string; companyName: string };
  mfaPassed: boolean;
  emailVerified: boolean;
}

/** After this many failures in a row an account locks: 1 minute, doubling, at most 15. */
export const LOCK_AFTER_FAILURES = 10;
export const LOCK_FIRST_MS = 60_000;
export const LOCK_MAX_MS = 15 * 60_000;
/**
 * Failed sign-ins from one IP address: at most this many per window (attempts still being
 * checked count too), then a pause until the window ends.
 */
export const IP_FAILURES = { limit: 20, windowMs: 15 * 60_000 };
export const DEVICE_COOKIE = 'lmp_device';

export function lockDuration(failures: number): number {
  return Math.min(LOCK_MAX_MS, LOCK_FIRST_MS * 2 ** (failures - LOCK_AFTER_FAILURES));
}

/** One answer for every failed sign-in: unknown email, wrong password, locked, disabled. */
export class InvalidCredentials extends UnauthorizedException {
  constructor() {
    super('invalid credentials');
  }
}

/** Password sign-in, sign-out, and what a session is. Every outcome is audited. */
@Injectable()
export class AuthService {
  private readonly companies = new WeakMap<object, Customer>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxWriter,
    private readonly limits: RateLimitStore,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The user for a correct email and password. Throws InvalidCredentials for every failure
   * (unknown emails, missing passwords, disabled and locked accounts cost the same hash as a
   * real check), and RateLimitedProblem when this IP failed too often, unless the browser
   * proves it signed in to this account before (a busy office is never locked out).
   *
   * Every attempt is counted as a failure, of its address and of its account, before the
   * password is checked, and a right password gives both back. So parallel attempts cannot all
   * slip under a limit read before any of them is counted: the (limit+1)-th attempt from an
   * address is refused, and an account has at most LOCK_AFTER_FAILURES checks in flight.
   */
  async verifyCredentials(email: string, password: string, meta: SessionMeta): Promise<User> {
    const normalized = normalizeEmail(email);
    // The account is read once, when first needed (by the device check, or after the IP limit).
    let lookup: Promise<{ user: User; company: Customer | null } | null> | undefined;
    const find = () =>
      (lookup ??= normalized.length <= 254 ? this.users.findByEmailWithCompany(normalized) : Promise.resolve(null));
    const knownDevice = await this.isKnownDevice(find, meta.deviceProof);
    const ipKey = meta.ip ?? 'unknown';
    if (!knownDevice) {
      // The count is the address's failures in this window plus its attempts in flight. A
      // refused attempt gives its count back, so a burst of right passwords only refuses the
      // attempts beyond the limit while it lasts, and never pauses the address afterwards.
      const hit = await this.limits.count(ipKey, IP_FAILURES.windowMs, 'login-failures');
      if (hit.totalHits > IP_FAILURES.limit) {
        await this.limits.release(ipKey, 'login-failures');
        await this.hasher.spendEqualTime(password);
        await this.tx.run((tx) => this.auditFailure(tx, null, normalized, 'ip_rate_limited', meta, 0));
        throw new RateLimitedProblem(hit.timeToExpire);
      }
    }
    const found = email.length <= 254 ? await find() : null;
    const user = found?.user ?? null;
    if (found?.company) this.companies.set(found.user, found.company);
    const usable = !!user && !!user.passwordHash && user.status === 'active';
    const attempt = usable ? await this.countAttempt(user) : null;
    const ok = attempt ? await this.hasher.verify(user!.passwordHash, password) : await this.spend(password);
    if (ok && user && attempt) {
      // Without a second factor the session starts next (MfaSignInService.begin), and its
      // transaction writes the count back to zero with the user's sign-in fields: the attempt is
      // given back there, one statement fewer. With one, it is given back now: the session may
      // never start, and the count must not keep a right password.
      if (user.mfaEnabled) await this.giveBack(user, attempt);
      if (!knownDevice) await this.limits.release(ipKey, 'login-failures');
      return user;
    }
    const reason = !user ? 'unknown_email' : !usable ? 'not_active' : !attempt ? 'locked' : 'wrong_password';
    await this.tx.run((tx) => this.auditFailure(tx, user, normalized, reason, meta, attempt?.lockedForMs ?? 0));
    throw new InvalidCredentials();
  }

  private async spend(password: string): Promise<false> {
    await this.hasher.spendEqualTime(password);
    return false;
  }

  /**
   * Counts a sign-in attempt on the account before its password is checked (refused while the
   * account is locked: null). One statement counts it and, at the limit, locks the account (see
   * `UserRepository.countAttempt`), so no other attempt is counted or checked once the limit is
   * reached; when this attempt's password turns out right, the lock is given back.
   */
  private async countAttempt(user: User): Promise<{ failures: number; lockedForMs: number } | null> {
    const now = this.clock.now();
    const failures = await this.tx.write((em) =>
      this.users.countAttempt(em, user.id, now, {
        after: LOCK_AFTER_FAILURES,
        until: (n) => new Date(now.getTime() + lockDuration(n)),
      }),
    );
    if (failures === null) return null;
    return { failures, lockedForMs: failures < LOCK_AFTER_FAILURES ? 0 : lockDuration(failures) };
  }

  /** A right password: the attempt counted before its check is taken back (with the lock it took). */
  private async giveBack(user: User, attempt: { failures: number; lockedForMs: number }): Promise<void> {
    const tookLock = attempt.lockedForMs > 0;
    const work = (em: EntityManager) => this.users.uncountFailure(em, user.id, attempt.failures, tookLock);
    await (tookLock ? this.tx.run(({ em }) => work(em)) : this.tx.write(work));
  }

  /**
   * A wrong password or code for this user outside the sign-in form (a second-factor code, a
   * password re-entered inside a session): counted toward the account's lockout in one
   * statement, the lock decided from the stored count (its email sent by the one call that
   * locks), and audited. Returns whether the account is locked now.
   */
  async recordWrongSecret(user: User, reason: 'wrong_code' | 'wrong_password', meta: SessionMeta): Promise<boolean> {
    return this.tx.run(async (tx) => {
      const now = this.clock.now();
      const failures = (await this.users.countFailure(tx.em, user.id)) ?? 0;
      let lockedForMs = 0;
      if (failures >= LOCK_AFTER_FAILURES) {
        const ms = lockDuration(failures);
        if (await this.users.lockUnlessLocked(tx.em, user.id, new Date(now.getTime() + ms), now)) lockedForMs = ms;
      }
      await this.auditFailure(tx, user, user.email, reason, meta, lockedForMs);
      return failures >= LOCK_AFTER_FAILURES;
    });
  }

  /** Audits a failure; when it locked the account (lockedForMs > 0), the owner is told by email. */
  private async auditFailure(
    tx: Tx,
    user: User | null,
    email: string,
    reason: string,
    meta: SessionMeta,
    lockedForMs: number,
  ): Promise<void> {
    if (user && lockedForMs) {
      await this.outbox.mail(tx, MailTemplate.AccountLocked, user.email, {
        firstName: user.firstName || user.email,
        minutes: Math.round(lockedForMs / 60_000),
        forgotPasswordLink: `${this.config.publicUrl}/forgot-password`,
      });
    }
    await this.audit.record(tx.em, {
      action: lockedForMs ? AuditAction.AccountLocked : AuditAction.LoginFailed,
      targetUserId: user?.id ?? null,
      partnerId: user ? await this.partnerIdOf(user, tx.em) : null,
      customerId: user?.customerId ?? null,
      ip: meta.ip,
      detail: lockedForMs
        ? { reason, lockedForMinutes: lockedForMs / 60_000, email }
        : { reason, email: email.slice(0, 254) },
    });
  }

  /**
   * The device cookie's value for an account: an HMAC, so it cannot be made up. It covers the
   * stored password hash (freshly salted on every change), so that a password change, a reset
   * or a lock ends every device cookie issued before it.
   */
  deviceProof(user: Pick<User, 'email' | 'passwordHash'>): string {
    return createHmac('sha256', this.config.sessionSecret)
      .update(`device:${normalizeEmail(user.email)}:${user.passwordHash ?? ''}`)
      .digest('base64url');
  }

  /** Only a browser that sends one costs the look-up of the account (before the IP limit). */
  private async isKnownDevice(
    find: () => Promise<{ user: User } | null>,
    proof: string | null | undefined,
  ): Promise<boolean> {
    if (!proof) return false;
    const user = (await find())?.user;
    if (!user?.passwordHash) return false;
    const expected = Buffer.from(this.deviceProof(user));
    const given = Buffer.from(proof);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /**
   * Starts a fresh session for a user who proved who they are (password, and the second factor
   * when they have one). Returns the cookie value. Partner staff without 2FA whose partner
   * requires it get a session that reaches only the 2FA set-up until they finish it.
   */
  async startSession(user: User, meta: SessionMeta, via?: { mfa: string }): Promise<string> {
    const mfaSetupRequired = !user.mfaEnabled && (await this.partnerRequiresMfa(user));
    // Read before the transaction, and kept for the answer that describes the session.
    const partnerId = await this.partnerIdOf(user);
    return this.tx.run(async ({ em }) => {
      // The user's row first: inserting the session takes a shared lock on it (the foreign key),
      // and two parallel sign-ins that both held one would deadlock on this update.
      await em.update(User, { id: user.id }, { lastLoginAt: this.clock.now(), failedLogins: 0, lockedUntil: null });
      const raw = await this.sessions.create(user.id, meta, true, em, { mfaSetupRequired });
      await this.audit.record(em, {
        action: AuditAction.LoginSucceeded,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId,
        customerId: user.customerId,
        ip: meta.ip,
        detail: via ? { mfa: via.mfa } : mfaSetupRequired ? { mfaSetupRequired: true } : undefined,
      });
      return raw;
    });
  }

  /** A wrong second-factor code: audited, and counted toward the account's lockout like a wrong password. */
  async recordCodeFailure(user: User, meta: SessionMeta): Promise<void> {
    await this.recordWrongSecret(user, 'wrong_code', meta);
  }

  /** True while the account is locked after too many failures. */
  isLocked(user: User): boolean {
    return !!user.lockedUntil && user.lockedUntil > this.clock.now();
  }

  private async partnerRequiresMfa(user: User): Promise<boolean> {
    if (!user.partnerId) return false;
    const p = await this.dataSource
      .getRepository(Partner)
      .findOne({ select: ['requireStaffMfa'], where: { id: user.partnerId } });
    return !!p?.requireStaffMfa;
  }

  async signOut(raw: string, user: User, meta: SessionMeta): Promise<void> {
    await this.sessions.destroy(raw);
    await this.tx.run(async ({ em }) =>
      this.audit.record(em, {
        action: AuditAction.Logout,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId: await this.partnerIdOf(user, em),
        customerId: user.customerId,
        ip: meta.ip,
      }),
    );
  }

  async describe(user: User, mfaPassed: boolean): Promise<SessionDescription> {
    const out: SessionDescription = { user: toUserView(user), mfaPassed, emailVerified: user.emailVerifiedAt !== null };
    if (user.partnerId) {
      const p = await this.dataSource.getRepository(Partner).findOneBy({ id: user.partnerId });
      if (p) out.partner = { id: p.id, code: p.code, name: p.name };
    }
    const c = await this.companyOf(user);
    if (c) out.customer = { id: c.id, companyName: c.companyName };
    return out;
  }

  /**
   * The partner whose audit trail an event about this user belongs to. Inside a transaction,
   * pass its manager: a second connection taken while the transaction holds a row lock can
   * starve the pool when many requests wait for that lock.
   */
  async partnerIdOf(user: Pick<User, 'partnerId' | 'customerId'>, em?: EntityManager): Promise<string | null> {
    if (user.partnerId) return user.partnerId;
    return (await this.companyOf(user, em))?.partnerId ?? null;
  }

  /**
   * A customer user's company, read once per user object: a sign-in needs it for its audit event
   * (the partner) and again for its answer (the name), and one request's user object lives no
   * longer than that request.
   */
  private async companyOf(user: Pick<User, 'customerId'>, em?: EntityManager): Promise<Customer | null> {
    if (!user.customerId) return null;
    const known = this.companies.get(user);
    if (known?.id === user.customerId) return known;
    const c = await (em ?? this.dataSource.manager).getRepository(Customer).findOneBy({ id: user.customerId });
    if (c) this.companies.set(user, c);
    return c;
  }
}
