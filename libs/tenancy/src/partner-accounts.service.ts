import { Injectable } from '@nestjs/common';
import { AuditAction } from '@lmp/audit';
import { Clock, PageRequest } from '@lmp/common';
import { Customer, CustomerRole, TransactionRunner, User } from '@lmp/database';
import { LinkMailLimit, SessionService, TokenService, UserRepository } from '@lmp/identity';
import { OutboxWriter, PartnerEvents } from '@lmp/notifications';
import { AccountInviter } from './account-inviter';
import { AccountRepository } from './account.repository';
import { CustomerRepository } from './customer.repository';
import { found, PartnerActor } from './partner-actor';
import { changedFields, defined, PartnerAudit } from './partner-audit';
import { accountEventData } from './partner-event-data';
import { PartnerRepository } from './partner.repository';
import { notifyPromotion } from './promotion-notice';
import { ResetRequestRepository } from './reset-request.repository';
import { accountView, resetRequestView } from './views';

export interface NewAccount {
  email: string;
  firstName: string;
  lastName: string;
  role: CustomerRole;
}

export interface AccountChanges {
  firstName?: string;
  lastName?: string;
  role?: CustomerRole;
  /** 'active' enables the account again: it is 'invited' until its owner has set a password. */
  status?: 'active' | 'disabled';
}

/**
 * The status an account gets from a requested change: disabled as asked, and enabled again as
 * 'active', or 'invited' while its owner has never set a password.
 */
export function accountStatusFor(
  account: Pick<User, 'passwordHash'>,
  requested: AccountChanges['status'],
): User['status'] | undefined {
  if (requested === undefined) return undefined;
  if (requested === 'disabled') return 'disabled';
  return account.passwordHash ? 'active' : 'invited';
}

/** The accounts (users) of the partner's customers: browse, invite, rename, change role, disable. */
@Injectable()
export class PartnerAccountsService {
  constructor(
    private readonly partners: PartnerRepository,
    private readonly customers: CustomerRepository,
    private readonly accounts: AccountRepository,
    private readonly resets: ResetRequestRepository,
    private readonly users: UserRepository,
    private readonly inviter: AccountInviter,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly linkMails: LinkMailLimit,
    private readonly outbox: OutboxWriter,
    private readonly audit: PartnerAudit,
    private readonly events: PartnerEvents,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async listAccounts(actor: PartnerActor, customerId: string, query: PageRequest & { q?: string }) {
    const page = await this.accounts.list(actor.partnerId, customerId, query);
    // The list is scoped to the partner's customer already: a page with accounts proves the
    // customer is the partner's; only an empty one must tell a foreign or unknown id (404).
    if (page.items.length === 0) await this.requireCustomer(actor, customerId);
    return { ...page, items: page.items.map(accountView) };
  }

  /**
   * Creates an account without a password and emails an invitation whose link sets it. An address
   * taken inside the partner's own tenant is a 409; one taken elsewhere answers as a fresh one.
   */
  async createAccount(actor: PartnerActor, customerId: string, input: NewAccount) {
    const customer = await this.requireCustomer(actor, customerId);
    const by = { actorUserId: actor.userId, customerId: customer.id, scope: { partnerId: actor.partnerId } };
    const { email, owner } = await this.inviter.prepare(input.email, by, 'account');
    await this.linkMails.require(email);
    const user = this.inviter.newUser({ ...input, email, passwordHash: null, customerId: customer.id });
    const about = { customerId: customer.id, targetUserId: user.id };
    await this.tx.run(async (tx) => {
      // An account of another tenant: the same answer as a fresh one; its owner is told instead.
      if (owner) return this.inviter.notifyOwner(tx, owner, by, actor.ip);
      await this.users.insert(tx.em, user);
      await this.audit.record(tx.em, actor, AuditAction.AccountCreated, { role: user.role }, about);
      const data = accountEventData(user);
      await this.events.record(tx, { partnerId: actor.partnerId, type: 'account.created', data });
      const requestId = await this.inviter.invite(tx, {
        user,
        companyName: customer.companyName,
        partnerName: await this.partners.nameOf(actor.partnerId),
        requestedBy: actor.userId,
      });
      await this.audit.record(tx.em, actor, AuditAction.InvitationSent, { requestId }, about);
    });
    return accountView(user);
  }

  async getAccount(actor: PartnerActor, customerId: string, accountId: string) {
    const account = await this.requireAccount(actor, customerId, accountId);
    const now = this.clock.now();
    const requests = await this.resets.listForAccount(actor.partnerId, account.id);
    return { ...accountView(account), resetRequests: requests.map((r) => resetRequestView(r, now)) };
  }

  /**
   * Changes an account's name, role or status. Disabling it ends its sessions at once; enabling
   * it again gives back 'active', or 'invited' while its owner has never set a password.
   */
  async updateAccount(actor: PartnerActor, customerId: string, accountId: string, input: AccountChanges) {
    const account = await this.requireAccount(actor, customerId, accountId);
    const next = defined({
      firstName: input.firstName?.trim(),
      lastName: input.lastName?.trim(),
      role: input.role,
      status: accountStatusFor(account, input.status),
    });
    const changes = changedFields(account, next);
    if (Object.keys(changes).length > 0) {
      await this.tx.run(async (tx) => {
        const { em } = tx;
        await this.accounts.update(em, actor.partnerId, customerId, accountId, {
          ...next,
          updatedAt: this.clock.now(),
        });
        // Given Full Access here as by promoteAccount: the company's Full Access users are told.
        if (changes.role === 'full_access' && (next.status ?? account.status) !== 'disabled')
          await notifyPromotion(tx, this.outbox, {
            partnerId: actor.partnerId,
            customerId,
            promoted: { ...account, ...next },
          });
        if (changes.status === 'disabled') {
          // Signed out at once, and no link sent before works when the account is enabled again.
          await this.sessions.destroyAllForUser(em, accountId);
          await this.tokens.voidOpen(em, accountId);
        }
        const data = { ...accountEventData({ ...account, ...next }), changed: Object.keys(changes) };
        await this.events.record(tx, { partnerId: actor.partnerId, type: 'account.changed', data });
        await this.audit.record(em, actor, AuditAction.AccountChanged, changes, {
          customerId,
          targetUserId: accountId,
        });
      });
    }
    return this.getAccount(actor, customerId, accountId);
  }

  private requireCustomer(actor: PartnerActor, customerId: string): Promise<Customer> {
    return found(this.customers.findOne(actor.partnerId, customerId), 'customer');
  }

  private requireAccount(actor: PartnerActor, customerId: string, accountId: string): Promise<User> {
    return found(this.accounts.findOne(actor.partnerId, customerId, accountId), 'account');
  }
}
