import { Inject, Injectable } from '@nestjs/common';
import { AuditAction, AuditFilter, AuditService } from '@lmp/audit';
import { Clock, ConflictProblem, NotFoundProblem, Page, PageRequest, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import {
  Customer,
  CustomerRole,
  CustomerStatus,
  FlatJson,
  License,
  newId,
  TransactionRunner,
  User,
} from '@lmp/database';
import {
  LinkMailLimit,
  MfaService,
  PASSWORD_TOKEN_PURPOSES,
  SessionService,
  TOKEN_TTL_MS,
  TokenService,
  UserRepository,
} from '@lmp/identity';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AccountRepository } from './account.repository';
import { CustomerListQuery, CustomerRepository } from './customer.repository';
import { LicenseRepository } from './license.repository';
import { PartnerRepository } from './partner.repository';
import { ResetRequestRepository } from './reset-request.repository';
import { accountView, customerView, licenseView, resetRequestView } from './views';
import { AccountInviter } from './account-inviter';
import { notifyPromotion } from './promotion-notice';

/** Who acts: a signed-in partner staff member. Every method is scoped by `partnerId`. */
export interface PartnerActor {
  partnerId: string;
  userId: string;
  ip: string | null;
}

export interface PartnerSettings {
  requireStaffMfa: boolean;
}

export interface NewAccount {
  email: string;
  firstName: string;
  lastName: string;
  role: CustomerRole;
}

export interface NewLicense {
  product: string;
  seats: number;
  startsAt: Date;
  expiresAt: Date;
}

export interface CustomerChanges {
  companyName?: string;
  country?: string;
  status?: CustomerStatus;
}

export interface AccountChanges {
  firstName?: string;
  lastName?: string;
  role?: CustomerRole;
  /** 'active' enables the account again: it is 'invited' until its owner has set a password. */
  status?: 'active' | 'disabled';
}

export interface LicenseChanges {
  product?: string;
  seats?: number;
  startsAt?: Date;
  expiresAt?: Date;
  status?: 'active' | 'suspended';
}

export interface AuditListItem {
  id: string;
  at: string;
  action: string;
  actorUserId: string | null;
  actorEmail: string | null;
  customerId: string | null;
  customerName: string | null;
  targetUserId: string | null;
  targetEmail: string | null;
  ip: string | null;
  detail: FlatJson | null;
}

const asJson = (v: string | number | Date): string | number => (v instanceof Date ? v.toISOString() : v);

/** `value` without its undefined fields: the fields a partial update sets. */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The fields of `next` whose value differs from `current`, as flat JSON for the audit trail. */
function changedFields<T extends object>(current: T, next: Partial<T>): FlatJson {
  const out: FlatJson = {};
  for (const [key, value] of Object.entries(next) as Array<[keyof T & string, T[keyof T]]>) {
    if (value === undefined) continue;
    const before = current[key];
    const same =
      value instanceof Date && before instanceof Date ? value.getTime() === before.getTime() : value === before;
    if (!same) out[key] = asJson(value as string | number | Date);
  }
  return out;
}

/** The partner console's rules: browse customers and accounts, invite, trigger resets. */
@Injectable()
export class PartnerConsoleService {
  constructor(
    private readonly partners: PartnerRepository,
    private readonly customers: CustomerRepository,
    private readonly accounts: AccountRepository,
    private readonly licenses: LicenseRepository,
    private readonly resets: ResetRequestRepository,
    private readonly users: UserRepository,
    private readonly inviter: AccountInviter,
    private readonly mfa: MfaService,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly linkMails: LinkMailLimit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The actor's own partner: its name heads the console. */
  async getPartner(actor: PartnerActor): Promise<{ id: string; code: string; name: string }> {
    const partner = await this.partners.findOne(actor.partnerId);
    if (!partner) throw new NotFoundProblem('partner');
    return { id: partner.id, code: partner.code, name: partner.name };
  }

  /** The partner's settings: for now, whether its staff must use two-factor authentication. */
  async getSettings(actor: PartnerActor): Promise<PartnerSettings> {
    const partner = await this.partners.findOne(actor.partnerId);
    if (!partner) throw new NotFoundProblem('partner');
    return { requireStaffMfa: partner.requireStaffMfa };
  }

  /** Changes take effect at each staff member's next sign-in. */
  async updateSettings(actor: PartnerActor, changes: Partial<PartnerSettings>): Promise<PartnerSettings> {
    const current = await this.getSettings(actor);
    if (changes.requireStaffMfa === undefined || changes.requireStaffMfa === current.requireStaffMfa) return current;
    await this.tx.run(async ({ em }) => {
      await this.partners.update(em, actor.partnerId, { requireStaffMfa: changes.requireStaffMfa });
      await this.audit.record(em, {
        action: AuditAction.PartnerSettingsChanged,
        actorUserId: actor.userId,
        partnerId: actor.partnerId,
        ip: actor.ip,
        detail: { requireStaffMfa: changes.requireStaffMfa! },
      });
    });
    return { requireStaffMfa: changes.requireStaffMfa };
  }

  async listCustomers(actor: PartnerActor, query: CustomerListQuery) {
    const page = await this.customers.list(actor.partnerId, query);
    return { ...page, items: page.items.map(customerView) };
  }

  async createCustomer(actor: PartnerActor, input: { companyName: string; country: string }) {
    const now = this.clock.now();
    const customer: Customer = {
      id: newId(),
      partnerId: actor.partnerId,
      companyName: input.companyName.trim(),
      country: input.country.toUpperCase(),
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    await this.tx.run(async ({ em }) => {
      await this.customers.insert(em, customer);
      await this.audit.record(em, {
        action: AuditAction.CustomerCreated,
        actorUserId: actor.userId,
        partnerId: actor.partnerId,
        customerId: customer.id,
        ip: actor.ip,
        detail: { companyName: customer.companyName },
      });
    });
    return customerView({ ...customer, accountCount: 0, licenseCount: 0 });
  }

  async getCustomer(actor: PartnerActor, customerId: string) {
    const customer = await this.requireCustomer(actor, customerId);
    const counts = await this.customers.counts([customer.id]);
    return customerView({
      ...customer,
      accountCount: counts.accounts.get(customer.id) ?? 0,
      licenseCount: counts.licenses.get(customer.id) ?? 0,
    });
  }

  /** Renames a customer, moves its country or suspends it; audited with the fields that changed. */
  async updateCustomer(actor: PartnerActor, customerId: string, input: CustomerChanges) {
    const customer = await this.requireCustomer(actor, customerId);
    const next = defined({
      companyName: input.companyName?.trim(),
      country: input.country?.toUpperCase(),
      status: input.status,
    });
    const changes = changedFields(customer, next);
    if (Object.keys(changes).length > 0) {
      await this.tx.run(async ({ em }) => {
        await this.customers.update(em, actor.partnerId, customerId, { ...next, updatedAt: this.clock.now() });
        await this.audit.record(em, {
          action: AuditAction.CustomerChanged,
          actorUserId: actor.userId,
          partnerId: actor.partnerId,
          customerId,
          ip: actor.ip,
          detail: changes,
        });
      });
    }
    return this.getCustomer(actor, customerId);
  }

  async listAccounts(actor: PartnerActor, customerId: string, query: PageRequest & { q?: string }) {
    await this.requireCustomer(actor, customerId);
    const page = await this.accounts.list(actor.partnerId, customerId, query);
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
    await this.tx.run(async (tx) => {
      // An account of another tenant: the same answer as a fresh one; its owner is told instead.
      if (owner) return this.inviter.notifyOwner(tx, owner, by, actor.ip);
      await this.users.insert(tx.em, user);
      await this.audit.record(tx.em, {
        action: AuditAction.AccountCreated,
        actorUserId: actor.userId,
        partnerId: actor.partnerId,
        customerId: customer.id,
        targetUserId: user.id,
        ip: actor.ip,
        detail: { role: user.role },
      });
      const requestId = await this.inviter.invite(tx, {
        user,
        companyName: customer.companyName,
        partnerName: await this.partners.nameOf(actor.partnerId),
        requestedBy: actor.userId,
      });
      await this.audit.record(tx.em, {
        action: AuditAction.InvitationSent,
        actorUserId: actor.userId,
        partnerId: actor.partnerId,
        customerId: customer.id,
        targetUserId: user.id,
        ip: actor.ip,
        detail: { requestId },
      });
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
    const status =
      input.status === undefined
        ? undefined
        : input.status === 'disabled'
          ? ('disabled' as const)
          : account.passwordHash
            ? ('active' as const)
            : ('invited' as const);
    const next = defined({
      firstName: input.firstName?.trim(),
      lastName: input.lastName?.trim(),
      role: input.role,
      status,
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
        await this.audit.record(em, {
          action: AuditAction.AccountChanged,
          actorUserId: actor.userId,
          partnerId: actor.partnerId,
          customerId,
          targetUserId: accountId,
          ip: actor.ip,
          detail: changes,
        });
      });
    }
    return this.getAccount(actor, customerId, accountId);
  }

  /**
   * Emails the account a reset link. The current password keeps working until the link is
   * used; a newer request voids the older links.
   */
  async triggerPasswordReset(actor: PartnerActor, customerId: string, accountId: string) {
    const account = await this.requireAccount(actor, customerId, accountId);
    if (account.status === 'disabled') {
      throw new ConflictProblem('This account is disabled; enable it before resetting its password.');
    }
    // Counted before the transaction (the store may be this database); beyond the limit: 429.
    await this.linkMails.require(account.email);
    // The hot path of a busy partner (BENCHMARKS.md B2): the partner's name comes from a short
    // cache, and the outbox id is chosen first so that the token is written with it.
    const partnerName = await this.partners.nameOf(actor.partnerId);
    const requestId = await this.tx.run(async (tx) => {
      const outboxId = newId();
      const { raw, token } = await this.tokens.issue(tx.em, {
        userId: account.id,
        purpose: 'password_reset',
        purposes: PASSWORD_TOKEN_PURPOSES,
        requestedBy: actor.userId,
        outboxId,
      });
      await this.outbox.mail(
        tx,
        MailTemplate.PasswordReset,
        account.email,
        {
          firstName: account.firstName || account.email,
          link: this.passwordLink(raw),
          expiresInMinutes: TOKEN_TTL_MS.password_reset / 60_000,
          partnerName,
        },
        outboxId,
      );
      await this.audit.record(tx.em, {
        action: AuditAction.PasswordResetRequested,
        actorUserId: actor.userId,
        partnerId: actor.partnerId,
        customerId,
        targetUserId: account.id,
        ip: actor.ip,
        detail: { requestId: token.id },
      });
      return token.id;
    });
    return { requestId, status: 'queued' as const };
  }

  /**
   * Gives a customer's user Full Access: how a partner admin restores a company whose only admin
   * left. Every full-access user of the company (the promoted one too) is told by email.
   */
  async promoteAccount(actor: PartnerActor, customerId: string, accountId: string) {
    await this.requireCustomer(actor, customerId);
    const account = await this.requireAccount(actor, customerId, accountId);
    if (account.status === 'disabled') {
      throw new ConflictProblem('This account is disabled; enable it before giving it Full Access.');
    }
    if (account.role !== 'full_access') {
      await this.tx.run(async (tx) => {
        await this.accounts.update(tx.em, actor.partnerId, customerId, accountId, {
          role: 'full_access',
          updatedAt: this.clock.now(),
        });
        await notifyPromotion(tx, this.outbox, { partnerId: actor.partnerId, customerId, promoted: account });
        await this.audit.record(tx.em, {
          action: AuditAction.AccountPromoted,
          actorUserId: actor.userId,
          partnerId: actor.partnerId,
          customerId,
          targetUserId: accountId,
          ip: actor.ip,
          detail: { from: account.role, to: 'full_access' },
        });
      });
    }
    return this.getAccount(actor, customerId, accountId);
  }

  /**
   * Turns off two-factor authentication of a customer's account whose owner lost every factor
   * and recovery code: partner admins only; every session of the account ends, its owner is
   * emailed and the partner's audit trail records it. 409 when 2FA is not on.
   */
  async resetAccountMfa(actor: PartnerActor, customerId: string, accountId: string) {
    await this.requireCustomer(actor, customerId);
    const account = await this.accounts.findOne(actor.partnerId, customerId, accountId);
    if (!account) throw new NotFoundProblem('account');
    const partnerName = await this.partners.nameOf(actor.partnerId);
    await this.tx.run(async (tx) => {
      const removed = await this.mfa.turnOffForUser(tx, account, partnerName);
      if (removed === null) throw new ConflictProblem('Two-factor authentication is not on for this account.');
      await this.audit.record(tx.em, {
        action: AuditAction.MfaResetByPartner,
        actorUserId: actor.userId,
        partnerId: actor.partnerId,
        customerId,
        targetUserId: accountId,
        ip: actor.ip,
        detail: { methods: removed },
      });
    });
    return this.getAccount(actor, customerId, accountId);
  }

  async getResetRequest(actor: PartnerActor, requestId: string) {
    const row = await this.resets.findOne(actor.partnerId, requestId);
    if (!row) throw new NotFoundProblem('password-reset request');
    return resetRequestView(row, this.clock.now());
  }

  async listLicenses(actor: PartnerActor, customerId: string) {
    await this.requireCustomer(actor, customerId);
    const now = this.clock.now();
    const items = await this.licenses.list(actor.partnerId, customerId);
    return { items: items.map((l) => licenseView(l, now, this.config.licenseExpiringDays)) };
  }

  async getLicense(actor: PartnerActor, customerId: string, licenseId: string) {
    const license = await this.requireLicense(actor, customerId, licenseId);
    return licenseView(license, this.clock.now(), this.config.licenseExpiringDays);
  }

  async createLicense(actor: PartnerActor, customerId: string, input: NewLicense) {
    await this.requireCustomer(actor, customerId);
    checkLicenseDates(input.startsAt, input.expiresAt);
    const license = {
      id: newId(),
      customerId,
      product: input.product.trim(),
      seats: input.seats,
      startsAt: input.startsAt,
      expiresAt: input.expiresAt,
      status: 'active',
      createdAt: this.clock.now(),
    };
    await this.tx.run(async ({ em }) => {
      await this.licenses.insert(em, license);
      await this.audit.record(em, {
        action: AuditAction.LicenseCreated,
        actorUserId: actor.userId,
        partnerId: actor.partnerId,
        customerId,
        ip: actor.ip,
        detail: { licenseId: license.id, product: license.product, seats: license.seats },
      });
    });
    return licenseView(license, this.clock.now(), this.config.licenseExpiringDays);
  }

  /** Changes some of a license's fields; the dates are checked as they will be after the change. */
  async updateLicense(actor: PartnerActor, customerId: string, licenseId: string, input: LicenseChanges) {
    const license = await this.requireLicense(actor, customerId, licenseId);
    checkLicenseDates(input.startsAt ?? license.startsAt, input.expiresAt ?? license.expiresAt);
    const next = defined({
      product: input.product?.trim(),
      seats: input.seats,
      startsAt: input.startsAt,
      expiresAt: input.expiresAt,
      status: input.status,
    });
    const changes = changedFields(license, next);
    if (Object.keys(changes).length > 0) {
      await this.tx.run(async ({ em }) => {
        await this.licenses.update(em, actor.partnerId, customerId, licenseId, next);
        await this.audit.record(em, {
          action: AuditAction.LicenseChanged,
          actorUserId: actor.userId,
          partnerId: actor.partnerId,
          customerId,
          ip: actor.ip,
          detail: { licenseId, ...changes },
        });
      });
    }
    return this.getLicense(actor, customerId, licenseId);
  }

  /** The partner's own events, newest first, with the people and companies they name. */
  async listAudit(actor: PartnerActor, filter: AuditFilter, page: PageRequest): Promise<Page<AuditListItem>> {
    const result = await this.audit.listForPartner(actor.partnerId, filter, page);
    const names = await this.customers.namesOf(
      actor.partnerId,
      result.items.map((e) => e.customerId).filter((id): id is string => id !== null),
    );
    return {
      ...result,
      items: result.items.map((e) => ({
        id: e.id,
        at: e.at.toISOString(),
        action: e.action,
        actorUserId: e.actorUserId,
        actorEmail: e.actorEmail,
        customerId: e.customerId,
        customerName: (e.customerId && names.get(e.customerId)) || null,
        targetUserId: e.targetUserId,
        targetEmail: e.targetEmail,
        ip: e.ip,
        detail: e.detail,
      })),
    };
  }

  private passwordLink(raw: string): string {
    return `${this.config.publicUrl}/reset-password?token=${raw}`;
  }

  private async requireCustomer(actor: PartnerActor, customerId: string): Promise<Customer> {
    const customer = await this.customers.findOne(actor.partnerId, customerId);
    if (!customer) throw new NotFoundProblem('customer');
    return customer;
  }

  private async requireLicense(actor: PartnerActor, customerId: string, licenseId: string): Promise<License> {
    const license = await this.licenses.findOne(actor.partnerId, customerId, licenseId);
    if (!license) throw new NotFoundProblem('license');
    return license;
  }

  private async requireAccount(actor: PartnerActor, customerId: string, accountId: string): Promise<User> {
    const account = await this.accounts.findOne(actor.partnerId, customerId, accountId);
    if (!account) throw new NotFoundProblem('account');
    return account;
  }
}

/** A license ends after it starts; checked on the values as they will be stored. */
function checkLicenseDates(startsAt: Date, expiresAt: Date): void {
  if (expiresAt <= startsAt) throw new ValidationProblem([{ field: 'expiresAt', message: 'must be after startsAt' }]);
}
