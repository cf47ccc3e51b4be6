import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock } from '@lmp/common';
import { Customer, Partner, TransactionRunner, User } from '@lmp/database';
import { PasswordHasher } from './password-hasher';
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

/** Password sign-in, sign-out, and what a session is. Every outcome is audited. */
@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /**
   * The user for a correct email and password, or null. Unknown emails, missing passwords and
   * disabled accounts cost the same hash as a real check, and the caller answers them alike.
   */
  async verifyCredentials(email: string, password: string, meta: SessionMeta): Promise<User | null> {
    const user = email.length <= 254 ? await this.users.findByEmail(email) : null;
    const usable = user && user.passwordHash && user.status === 'active';
    const ok = usable ? await this.hasher.verify(user.passwordHash, password) : await this.fail(password);
    if (ok && user) return user;
    await this.tx.run(async ({ em }) => {
      if (user) await em.increment(User, { id: user.id }, 'failedLogins', 1);
      await this.audit.record(em, {
        action: AuditAction.LoginFailed,
        targetUserId: user?.id ?? null,
        partnerId: user ? await this.partnerIdOf(user) : null,
        customerId: user?.customerId ?? null,
        ip: meta.ip,
        detail: {
          reason: !user ? 'unknown_email' : !usable ? 'not_active' : 'wrong_password',
          email: normalizeEmail(email).slice(0, 254),
        },
      });
    });
    return null;
  }

  private async fail(password: string): Promise<false> {
    await this.hasher.spendEqualTime(password);
    return false;
  }

  /** Starts a fresh session for a user who proved who they are. Returns the cookie value. */
  async startSession(user: User, meta: SessionMeta): Promise<string> {
    return this.tx.run(async ({ em }) => {
      const raw = await this.sessions.create(user.id, meta, true, em);
      await em.update(User, { id: user.id }, { lastLoginAt: this.clock.now(), failedLogins: 0 });
      await this.audit.record(em, {
        action: AuditAction.LoginSucceeded,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId: await this.partnerIdOf(user),
        customerId: user.customerId,
        ip: meta.ip,
      });
      return raw;
    });
  }

  async signOut(raw: string, user: User, meta: SessionMeta): Promise<void> {
    await this.sessions.destroy(raw);
    await this.tx.run(async ({ em }) =>
      this.audit.record(em, {
        action: AuditAction.Logout,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId: await this.partnerIdOf(user),
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
    if (user.customerId) {
      const c = await this.dataSource.getRepository(Customer).findOneBy({ id: user.customerId });
      if (c) out.customer = { id: c.id, companyName: c.companyName };
    }
    return out;
  }

  /** The partner whose audit trail an event about this user belongs to. */
  async partnerIdOf(user: Pick<User, 'partnerId' | 'customerId'>): Promise<string | null> {
    if (user.partnerId) return user.partnerId;
    if (!user.customerId) return null;
    const c = await this.dataSource
      .getRepository(Customer)
      .findOne({ select: ['partnerId'], where: { id: user.customerId } });
    return c?.partnerId ?? null;
  }
}
