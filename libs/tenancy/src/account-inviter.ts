import { Inject, Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, ConflictProblem, EmailNotVerifiedProblem, RateLimitedProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { newId, Tx, User, UserRole } from '@lmp/database';
import {
  normalizeEmail,
  PASSWORD_TOKEN_PURPOSES,
  RateLimitStore,
  TOKEN_TTL_MS,
  TokenService,
  UserRepository,
} from '@lmp/identity';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { CustomerRepository } from './customer.repository';

/** Invitations one user may send, and invitations into one company, per window. */
export const INVITES_PER_USER = { limit: 20, windowMs: 3600_000 };
export const INVITES_PER_COMPANY = { limit: 30, windowMs: 3600_000 };

/** Who invites, and into which company. */
export interface Inviting {
  actorUserId: string;
  customerId: string;
  /** The tenant inside which "this address is taken" may be said: one company, or a partner's all. */
  scope: { customerId: string } | { partnerId: string };
}

/**
 * The address to invite. `owner` is set when it belongs to an account outside the caller's tenant:
 * the caller gets the answer of a fresh invitation, and the owner a notice instead.
 */
export interface InviteAddress {
  email: string;
  owner: User | null;
}

export interface NewUser {
  email: string;
  role: UserRole;
  /** Null: the user is invited and sets a password from the emailed link. */
  passwordHash: string | null;
  partnerId?: string;
  customerId?: string;
  firstName?: string;
  lastName?: string;
  /** Counts the address as verified even without a password (demo data). */
  verified?: boolean;
  /** Created at; the clock's now when left out. */
  now?: Date;
}

export interface Invitation {
  user: User;
  companyName: string;
  /** The partner that sends it; null when the company's own administrator does. */
  partnerName: string | null;
  /** Who sent it (null for the command line). */
  requestedBy: string | null;
}

/**
 * New users and their invitations: one shape of user row and one invitation email for the
 * partner console, company admins and the command line.
 */
@Injectable()
export class AccountInviter {
  constructor(
    private readonly users: UserRepository,
    private readonly customers: CustomerRepository,
    private readonly tokens: TokenService,
    private readonly outbox: OutboxWriter,
    private readonly limits: RateLimitStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Everything that must hold before an invitation, in order: the inviter's address is verified
   * (403: a self-signed-up account cannot invite before that), the inviter and the company are
   * within their budgets (429 with Retry-After), and the address is not taken inside the caller's
   * own tenant (409). An address taken elsewhere comes back with its owner: no caller learns
   * that an address exists outside its tenant.
   */
  async prepare(email: string, by: Inviting, what: string): Promise<InviteAddress> {
    const inviter = await this.users.findById(by.actorUserId);
    if (!inviter?.emailVerifiedAt)
      throw new EmailNotVerifiedProblem('Verify your email address before you invite anyone.');
    await this.countInvitation(by);
    const normalized = normalizeEmail(email);
    const owner = await this.users.findByEmail(normalized);
    if (!owner) return { email: normalized, owner: null };
    if (await this.insideScope(owner, by.scope)) {
      const where = 'customerId' in by.scope ? 'a user of this company' : 'in use';
      throw new ConflictProblem(`This email address is already ${where}: it cannot be used for a new ${what}.`, [
        { field: 'email', message: `is already ${where}` },
      ]);
    }
    return { email: normalized, owner };
  }

  /** One invitation counted against the inviting user, then the company; each in one atomic step. */
  private async countInvitation(by: Inviting): Promise<void> {
    for (const [key, rule, name] of [
      [by.actorUserId, INVITES_PER_USER, 'invite-user'],
      [by.customerId, INVITES_PER_COMPANY, 'invite-company'],
    ] as const) {
      const hit = await this.limits.increment(key, rule.windowMs, rule.limit, rule.windowMs, name);
      if (hit.isBlocked) throw new RateLimitedProblem(hit.timeToBlockExpire);
    }
  }

  private async insideScope(owner: User, scope: Inviting['scope']): Promise<boolean> {
    if ('customerId' in scope) return owner.customerId === scope.customerId;
    if (owner.partnerId) return owner.partnerId === scope.partnerId;
    if (!owner.customerId) return false;
    // The partner's own customers only: the query is scoped to the partner.
    return (await this.customers.findOne(scope.partnerId, owner.customerId)) !== null;
  }

  /**
   * The address has an account in another tenant: its owner is told that someone tried (nothing
   * else happens), and the platform's trail records who, outside either tenant's view.
   */
  async notifyOwner(tx: Tx, owner: User, by: Inviting, ip: string | null): Promise<void> {
    await this.outbox.mail(tx, MailTemplate.InvitationAttempt, owner.email, {
      firstName: owner.firstName || owner.email,
      signInLink: `${this.config.publicUrl}/login`,
    });
    await this.audit.record(tx.em, {
      action: AuditAction.InvitationOfExistingAddress,
      actorUserId: by.actorUserId,
      targetUserId: owner.id,
      partnerId: null,
      customerId: null,
      ip,
      detail: { intoCustomerId: by.customerId },
    });
  }

  /** A user row: active with a password, else invited. */
  newUser(p: NewUser): User {
    const now = p.now ?? this.clock.now();
    const active = p.passwordHash !== null;
    return {
      id: newId(),
      email: normalizeEmail(p.email),
      passwordHash: p.passwordHash,
      status: active ? 'active' : 'invited',
      emailVerifiedAt: active || p.verified ? now : null,
      firstName: p.firstName?.trim() ?? '',
      lastName: p.lastName?.trim() ?? '',
      userType: 'company',
      phone: null,
      location: null,
      partnerId: p.partnerId ?? null,
      customerId: p.customerId ?? null,
      role: p.role,
      failedLogins: 0,
      lockedUntil: null,
      mfaEnabled: false,
      passwordChangedAt: active ? now : null,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Issues the invitation link (voiding older password links) and mails it, in the caller's
   * transaction. Returns the link's id (the request id) for the caller's audit event.
   */
  async invite(tx: Tx, inv: Invitation): Promise<string> {
    const outboxId = newId();
    const { raw, token } = await this.tokens.issue(tx.em, {
      userId: inv.user.id,
      purpose: 'invitation',
      purposes: PASSWORD_TOKEN_PURPOSES,
      requestedBy: inv.requestedBy,
      outboxId,
    });
    await this.outbox.mail(
      tx,
      MailTemplate.Invitation,
      inv.user.email,
      {
        firstName: inv.user.firstName || inv.user.email,
        companyName: inv.companyName,
        partnerName: inv.partnerName,
        link: `${this.config.publicUrl}/reset-password?token=${raw}`,
        expiresInHours: TOKEN_TTL_MS.invitation / 3600_000,
      },
      outboxId,
    );
    return token.id;
  }
}
