import { Inject, Injectable } from '@nestjs/common';
import { AuditAction, AuditFilter, AuditService } from '@lmp/audit';
import { Clock, ConflictProblem, NotFoundProblem, Page, PageRequest, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Customer, CustomerRole, newId, Partner, TransactionRunner, Tx, User } from '@lmp/database';
import { PASSWORD_TOKEN_PURPOSES, TOKEN_TTL_MS, TokenService, UserRepository, normalizeEmail } from '@lmp/identity';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AccountRepository } from './account.repository';
import { CustomerListQuery, CustomerRepository } from './customer.repository';
import { LicenseRepository } from './license.repository';
import { ResetRequestRepository } from './reset-request.repository';
import { accountView, customerView, licenseView, resetRequestView } from './views';

/** Who acts: a signed-in partner staff member. Every method is scoped by `partnerId`. */
export interface PartnerActor {
  partnerId: string;
  userId: string;
  ip: string | null;
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

/** The partner console's rules: browse customers and accounts, invite, trigger resets. */
@Injectable()
export class PartnerConsoleService {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly accounts: AccountRepository,
    private readonly licenses: LicenseRepository,
    private readonly resets: ResetRequestRepository,
    private readonly users: UserRepository,
    private readonly tokens: TokenService,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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

  async listAccounts(actor: PartnerActor, customerId: string, query: PageRequest & { q?: string }) {
    await this.requireCustomer(actor, customerId);
    const page = await this.accounts.list(actor.partnerId, customerId, query);
    return { ...page, items: page.items.map(accountView) };
  }

  /** Creates an account without a password and emails an invitation whose link sets it. */
  async createAccount(actor: PartnerActor, customerId: string, input: NewAccount) {
    const customer = await this.requireCustomer(actor, customerId);
    const email = normalizeEmail(input.email);
    if (await this.users.findByEmail(email)) {
      throw new ConflictProblem('This email address cannot be used for a new account.', [
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
      customerId: customer.id,
      role: input.role,
      failedLogins: 0,
      lockedUntil: null,
      passwordChangedAt: null,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.tx.run(async (tx) => {
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
      await this.sendInvitation(tx, actor, customer, user);
    });
    return accountView(user);
  }

  private async sendInvitation(tx: Tx, actor: PartnerActor, customer: Customer, user: User) {
    const { raw, token } = await this.tokens.issue(tx.em, {
      userId: user.id,
      purpose: 'invitation',
      purposes: PASSWORD_TOKEN_PURPOSES,
      requestedBy: actor.userId,
    });
    const partner = await tx.em.findOneByOrFail(Partner, { id: actor.partnerId });
    const outboxId = await this.outbox.mail(tx, MailTemplate.Invitation, user.email, {
      firstName: user.firstName || user.email,
      companyName: customer.companyName,
      partnerName: partner.name,
      link: this.passwordLink(raw),
      expiresInHours: TOKEN_TTL_MS.invitation / 3600_000,
    });
    await this.tokens.attachOutbox(tx.em, token.id, outboxId);
    await this.audit.record(tx.em, {
      action: AuditAction.InvitationSent,
      actorUserId: actor.userId,
      partnerId: actor.partnerId,
      customerId: customer.id,
      targetUserId: user.id,
      ip: actor.ip,
      detail: { requestId: token.id },
    });
  }

  async getAccount(actor: PartnerActor, customerId: string, accountId: string) {
    const account = await this.requireAccount(actor, customerId, accountId);
    const now = this.clock.now();
    const requests = await this.resets.listForAccount(actor.partnerId, account.id);
    return { ...accountView(account), resetRequests: requests.map((r) => resetRequestView(r, now)) };
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
    const requestId = await this.tx.run(async (tx) => {
      const { raw, token } = await this.tokens.issue(tx.em, {
        userId: account.id,
        purpose: 'password_reset',
        purposes: PASSWORD_TOKEN_PURPOSES,
        requestedBy: actor.userId,
      });
      const partner = await tx.em.findOneByOrFail(Partner, { id: actor.partnerId });
      const outboxId = await this.outbox.mail(tx, MailTemplate.PasswordReset, account.email, {
        firstName: account.firstName || account.email,
        link: this.passwordLink(raw),
        expiresInMinutes: TOKEN_TTL_MS.password_reset / 60_000,
        partnerName: partner.name,
      });
      await this.tokens.attachOutbox(tx.em, token.id, outboxId);
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

  async getResetRequest(actor: PartnerActor, requestId: string) {
    const row = await this.resets.findOne(actor.partnerId, requestId);
    if (!row) throw new NotFoundProblem('password-reset request');
    return resetRequestView(row, this.clock.now());
  }

  async listLicenses(actor: PartnerActor, customerId: string) {
    await this.requireCustomer(actor, customerId);
    const now = this.clock.now();
    return { items: (await this.licenses.list(actor.partnerId, customerId)).map((l) => licenseView(l, now)) };
  }

  async createLicense(actor: PartnerActor, customerId: string, input: NewLicense) {
    await this.requireCustomer(actor, customerId);
    if (input.expiresAt <= input.startsAt) {
      throw new ValidationProblem([{ field: 'expiresAt', message: 'must be after startsAt' }]);
    }
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
        detail: { product: license.product, seats: license.seats },
      });
    });
    return licenseView(license, this.clock.now());
  }

  async listAudit(actor: PartnerActor, filter: AuditFilter, page: PageRequest): Promise<Page<object>> {
    const result = await this.audit.listForPartner(actor.partnerId, filter, page);
    return {
      ...result,
      items: result.items.map((e) => ({
        id: e.id,
        at: e.at.toISOString(),
        action: e.action,
        actorUserId: e.actorUserId,
        customerId: e.customerId,
        targetUserId: e.targetUserId,
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

  private async requireAccount(actor: PartnerActor, customerId: string, accountId: string): Promise<User> {
    const account = await this.accounts.findOne(actor.partnerId, customerId, accountId);
    if (!account) throw new NotFoundProblem('account');
    return account;
  }
}
