import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, ConflictProblem, NotFoundProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Customer, CustomerRole, newId, Partner, TransactionRunner, User, UserRole } from '@lmp/database';
import {
  normalizeEmail,
  PASSWORD_TOKEN_PURPOSES,
  SessionService,
  TOKEN_TTL_MS,
  TokenService,
  UserRepository,
} from '@lmp/identity';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { CompanyUserRepository } from './company-user.repository';
import { accountView } from './views';

/** Who acts on a company's users: a signed-in user of that company. */
export interface CompanyActor {
  customerId: string;
  userId: string;
  role: UserRole;
  ip: string | null;
}

export interface NewCompanyUser {
  email: string;
  firstName: string;
  lastName: string;
  role: CustomerRole;
}

const LAST_ADMIN = 'A company needs at least one Full Access user. Give another user Full Access first.';

/**
 * The Users page of a customer company: everyone may list, full-access users add, change and
 * remove. The last full-access user can be neither demoted nor removed.
 */
@Injectable()
export class CompanyUsersService {
  constructor(
    private readonly companyUsers: CompanyUserRepository,
    private readonly users: UserRepository,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(actor: CompanyActor) {
    const users = await this.companyUsers.list(actor.customerId);
    return { items: users.map(accountView) };
  }

  /** Creates the user without a password and emails an invitation to set one. */
  async add(actor: CompanyActor, input: NewCompanyUser) {
    this.requireFullAccess(actor);
    const email = normalizeEmail(input.email);
    if (await this.users.findByEmail(email)) {
      throw new ConflictProblem('This email address cannot be used for a new user.', [
        { field: 'email', message: 'is already in use' },
      ]);
    }
    const now = this.clock.now();
    const user: User = {
      id: newId(),
      email,
      passwordHash: null,
      status: 'invited',
      emailVerifiedAt: null,
      firstName: input.firstName.trim(),
      lastName: input.lastName.trim(),
      userType: 'company',
      phone: null,
      location: null,
      partnerId: null,
      customerId: actor.customerId,
      role: input.role,
      failedLogins: 0,
      lockedUntil: null,
      mfaEnabled: false,
      passwordChangedAt: null,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.tx.run(async (tx) => {
      const customer = await tx.em.findOneByOrFail(Customer, { id: actor.customerId });
      const partner = await tx.em.findOneByOrFail(Partner, { id: customer.partnerId });
      await this.users.insert(tx.em, user);
      const { raw, token } = await this.tokens.issue(tx.em, {
        userId: user.id,
        purpose: 'invitation',
        purposes: PASSWORD_TOKEN_PURPOSES,
        requestedBy: actor.userId,
      });
      const outboxId = await this.outbox.mail(tx, MailTemplate.Invitation, user.email, {
        firstName: user.firstName || user.email,
        companyName: customer.companyName,
        partnerName: partner.name,
        link: `${this.config.publicUrl}/reset-password?token=${raw}`,
        expiresInHours: TOKEN_TTL_MS.invitation / 3600_000,
      });
      await this.tokens.attachOutbox(tx.em, token.id, outboxId);
      await this.audit.record(tx.em, {
        action: AuditAction.CompanyUserAdded,
        actorUserId: actor.userId,
        partnerId: customer.partnerId,
        customerId: actor.customerId,
        targetUserId: user.id,
        ip: actor.ip,
        detail: { role: user.role, requestId: token.id },
      });
    });
    return accountView(user);
  }

  /** Changes a user's role; demoting the last full-access user is a 409. */
  async changeRole(actor: CompanyActor, userId: string, role: CustomerRole) {
    this.requireFullAccess(actor);
    const updated = await this.tx.run(async ({ em }) => {
      const target = await this.companyUsers.findOne(actor.customerId, userId, em);
      if (!target) throw new NotFoundProblem('user');
      if (target.role === role) return target;
      if (target.role === 'full_access') await this.requireAnotherAdmin(em, actor.customerId, userId);
      const now = this.clock.now();
      await this.companyUsers.setRole(em, actor.customerId, userId, role, now);
      await this.audit.record(em, {
        action: AuditAction.CompanyUserRoleChanged,
        actorUserId: actor.userId,
        partnerId: await this.partnerOf(em, actor.customerId),
        customerId: actor.customerId,
        targetUserId: userId,
        ip: actor.ip,
        detail: { from: target.role, to: role },
      });
      return { ...target, role, updatedAt: now };
    });
    return accountView(updated);
  }

  /** Removes a user of the company; their sessions and links end with them. */
  async remove(actor: CompanyActor, userId: string): Promise<void> {
    this.requireFullAccess(actor);
    await this.tx.run(async ({ em }) => {
      const target = await this.companyUsers.findOne(actor.customerId, userId, em);
      if (!target) throw new NotFoundProblem('user');
      if (target.role === 'full_access') await this.requireAnotherAdmin(em, actor.customerId, userId);
      await this.sessions.destroyAllForUser(em, userId);
      await this.companyUsers.remove(em, actor.customerId, userId);
      await this.audit.record(em, {
        action: AuditAction.CompanyUserRemoved,
        actorUserId: actor.userId,
        partnerId: await this.partnerOf(em, actor.customerId),
        customerId: actor.customerId,
        targetUserId: userId,
        ip: actor.ip,
        detail: { email: target.email, role: target.role },
      });
    });
  }

  private requireFullAccess(actor: CompanyActor): void {
    if (actor.role !== 'full_access') throw new ForbiddenException('Only Full Access users manage users.');
  }

  private async requireAnotherAdmin(em: EntityManager, customerId: string, userId: string) {
    const admins = await this.companyUsers.fullAccessUsers(em, customerId);
    if (!admins.some((u) => u.id !== userId)) throw new ConflictProblem(LAST_ADMIN);
  }

  private async partnerOf(em: EntityManager, customerId: string) {
    return (await em.findOneByOrFail(Customer, { id: customerId })).partnerId;
  }
}
