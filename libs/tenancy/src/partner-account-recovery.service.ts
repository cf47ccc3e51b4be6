import { Inject, Injectable } from '@nestjs/common';
import { AuditAction } from '@lmp/audit';
import { Clock, ConflictProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { newId, TransactionRunner, User } from '@lmp/database';
import { LinkMailLimit, MfaService, PASSWORD_TOKEN_PURPOSES, TOKEN_TTL_MS, TokenService } from '@lmp/identity';
import { MailTemplate, OutboxWriter, PartnerEvents } from '@lmp/notifications';
import { AccountRepository } from './account.repository';
import { CustomerRepository } from './customer.repository';
import { found, PartnerActor } from './partner-actor';
import { PartnerAudit } from './partner-audit';
import { PartnerAccountsService } from './partner-accounts.service';
import { PartnerRepository } from './partner.repository';
import { notifyPromotion } from './promotion-notice';
import { ResetRequestRepository } from './reset-request.repository';
import { resetRequestView } from './views';

/**
 * How a partner gives access back: a password reset link, Full Access for a company whose only
 * admin left, and two-factor authentication turned off for an owner who lost every factor.
 */
@Injectable()
export class PartnerAccountRecoveryService {
  constructor(
    private readonly partners: PartnerRepository,
    private readonly customers: CustomerRepository,
    private readonly accounts: AccountRepository,
    private readonly resets: ResetRequestRepository,
    private readonly accountViews: PartnerAccountsService,
    private readonly mfa: MfaService,
    private readonly tokens: TokenService,
    private readonly outbox: OutboxWriter,
    private readonly linkMails: LinkMailLimit,
    private readonly audit: PartnerAudit,
    private readonly events: PartnerEvents,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
          link: `${this.config.publicUrl}/reset-password?token=${raw}`,
          expiresInMinutes: TOKEN_TTL_MS.password_reset / 60_000,
          partnerName,
        },
        outboxId,
      );
      await this.audit.record(
        tx.em,
        actor,
        AuditAction.PasswordResetRequested,
        { requestId: token.id },
        { customerId, targetUserId: account.id },
      );
      await this.events.record(tx, {
        partnerId: actor.partnerId,
        type: 'password_reset.requested',
        data: { requestId: token.id, accountId: account.id, customerId, requestedBy: actor.userId },
      });
      return token.id;
    });
    return { requestId, status: 'queued' as const };
  }

  async getResetRequest(actor: PartnerActor, requestId: string) {
    const row = await found(this.resets.findOne(actor.partnerId, requestId), 'password-reset request');
    return resetRequestView(row, this.clock.now());
  }

  /**
   * Gives a customer's user Full Access: how a partner admin restores a company whose only admin
   * left. Every full-access user of the company (the promoted one too) is told by email.
   */
  async promoteAccount(actor: PartnerActor, customerId: string, accountId: string) {
    await found(this.customers.findOne(actor.partnerId, customerId), 'customer');
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
        await this.audit.record(
          tx.em,
          actor,
          AuditAction.AccountPromoted,
          { from: account.role, to: 'full_access' },
          { customerId, targetUserId: accountId },
        );
      });
    }
    return this.accountViews.getAccount(actor, customerId, accountId);
  }

  /**
   * Turns off two-factor authentication of a customer's account whose owner lost every factor
   * and recovery code: partner admins only; every session of the account ends, its owner is
   * emailed and the partner's audit trail records it. 409 when 2FA is not on.
   */
  async resetAccountMfa(actor: PartnerActor, customerId: string, accountId: string) {
    await found(this.customers.findOne(actor.partnerId, customerId), 'customer');
    const account = await this.requireAccount(actor, customerId, accountId);
    const partnerName = await this.partners.nameOf(actor.partnerId);
    await this.tx.run(async (tx) => {
      const removed = await this.mfa.turnOffForUser(tx, account, partnerName);
      if (removed === null) throw new ConflictProblem('Two-factor authentication is not on for this account.');
      await this.audit.record(
        tx.em,
        actor,
        AuditAction.MfaResetByPartner,
        { methods: removed },
        { customerId, targetUserId: accountId },
      );
    });
    return this.accountViews.getAccount(actor, customerId, accountId);
  }

  private requireAccount(actor: PartnerActor, customerId: string, accountId: string): Promise<User> {
    return found(this.accounts.findOne(actor.partnerId, customerId, accountId), 'account');
  }
}
