import { ForbiddenException, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, ConflictProblem, NotFoundProblem } from '@lmp/common';
import { Customer, CustomerRole, TransactionRunner, UserRole } from '@lmp/database';
import { LinkMailLimit, SessionService, UserRepository } from '@lmp/identity';
import { PartnerEvents } from '@lmp/notifications';
import { CompanyUserRepository } from './company-user.repository';
import { accountView } from './views';
import { AccountInviter } from './account-inviter';
import { accountEventData } from './partner-event-data';

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
    private readonly inviter: AccountInviter,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly events: PartnerEvents,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly linkMails: LinkMailLimit,
  ) {}

  async list(actor: CompanyActor) {
    const users = await this.companyUsers.list(actor.customerId);
    return { items: users.map(accountView) };
  }

  /**
   * Creates the user without a password and emails an invitation to set one. An address that has
   * an account in another tenant gets the same answer (a user shaped like a fresh invitation,
   * never stored) and its owner a notice instead: nothing tells the caller it exists.
   */
  async add(actor: CompanyActor, input: NewCompanyUser) {
    this.requireFullAccess(actor);
    const by = { actorUserId: actor.userId, customerId: actor.customerId, scope: { customerId: actor.customerId } };
    const { email, owner } = await this.inviter.prepare(input.email, by, 'user');
    await this.linkMails.require(email);
    const user = this.inviter.newUser({ ...input, email, passwordHash: null, customerId: actor.customerId });
    await this.tx.run(async (tx) => {
      if (owner) return this.inviter.notifyOwner(tx, owner, by, actor.ip);
      const customer = await tx.em.findOneByOrFail(Customer, { id: actor.customerId });
      await this.users.insert(tx.em, user);
      // Sent by the company's own administrator: the email names the company, not its partner.
      const requestId = await this.inviter.invite(tx, {
        user,
        companyName: customer.companyName,
        partnerName: null,
        requestedBy: actor.userId,
      });
      const data = accountEventData(user);
      await this.events.record(tx, { partnerId: customer.partnerId, type: 'account.created', data });
      await this.audit.record(tx.em, {
        action: AuditAction.CompanyUserAdded,
        actorUserId: actor.userId,
        partnerId: customer.partnerId,
        customerId: actor.customerId,
        targetUserId: user.id,
        ip: actor.ip,
        detail: { role: user.role, requestId },
      });
    });
    return accountView(user);
  }

  /** Changes a user's role; demoting the last full-access user is a 409. */
  async changeRole(actor: CompanyActor, userId: string, role: CustomerRole) {
    this.requireFullAccess(actor);
    const updated = await this.tx.run(async (tx) => {
      const { em } = tx;
      const target = await this.companyUsers.findOne(actor.customerId, userId, em);
      if (!target) throw new NotFoundProblem('user');
      if (target.role === role) return target;
      if (target.role === 'full_access') await this.requireAnotherAdmin(em, actor.customerId, userId);
      const now = this.clock.now();
      await this.companyUsers.setRole(em, actor.customerId, userId, role, now);
      const partnerId = await this.partnerOf(em, actor.customerId);
      const data = { ...accountEventData({ ...target, role }), changed: ['role'] };
      await this.events.record(tx, { partnerId, type: 'account.changed', data });
      await this.audit.record(em, {
        action: AuditAction.CompanyUserRoleChanged,
        actorUserId: actor.userId,
        partnerId,
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
