import { Inject, Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, ConflictProblem, InvalidTokenProblem, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { ActionToken, EmailChange, Session, TokenPurpose, TransactionRunner, User } from '@lmp/database';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AccountSettingsService } from './account-settings.service';
import { AuthService } from './auth.service';
import { LinkMailLimit } from './link-mail-limit';
import { PASSWORD_TOKEN_PURPOSES } from './password-reset.service';
import { ReauthService } from './reauth.service';
import { SessionMeta, SessionService } from './session.service';
import { TOKEN_TTL_MS, TokenService } from './token.service';
import { normalizeEmail, UserRepository } from './user.repository';

/**
 * The links that went to the old address and stop working when the address changes. "This
 * wasn't me" links stay: they are the old owner's way to undo a change they did not make.
 */
const OLD_ADDRESS_PURPOSES: TokenPurpose[] = ['password_reset', 'invitation', 'email_verify', 'login_code'];

/** The signed-in session that used a link, if any: it may stay signed in when it is the owner's. */
export interface ConfirmingSession {
  userId: string;
  sessionId: string;
}

/**
 * Changing the sign-in address: the current password is needed; a link goes to the new address
 * and the change happens only when it is used; the old address is told, with a "this wasn't me"
 * link that locks the account.
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly users: UserRepository,
    private readonly reauth: ReauthService,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly settings: AccountSettingsService,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly linkMails: LinkMailLimit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Starts a change. The answer is the same whether or not the new address is taken (nothing
   * tells which addresses have accounts); a taken address simply gets no link. A wrong password
   * counts like a failed sign-in; a few in a row end the session.
   */
  async request(
    user: User,
    session: Session,
    input: { newEmail: string; password: string },
    meta: SessionMeta,
  ): Promise<void> {
    const newEmail = normalizeEmail(input.newEmail);
    if (!(await this.reauth.checkPassword(user, session, input.password, meta, 'email_change')))
      throw new ValidationProblem([{ field: 'password', message: 'is not correct' }]);
    if (newEmail === user.email)
      throw new ValidationProblem([{ field: 'newEmail', message: 'is already your email address' }]);
    const taken = (await this.users.findByEmail(newEmail)) !== null;
    // Counted whether or not the address is taken, so that a refusal tells nothing about it.
    await this.linkMails.require(newEmail);
    await this.tx.run(async (tx) => {
      const now = this.clock.now();
      await tx.em.delete(EmailChange, { userId: user.id });
      const { raw, token } = await this.tokens.issue(tx.em, {
        userId: user.id,
        purpose: 'email_change',
        purposes: ['email_change'],
      });
      if (!taken) {
        await tx.em.insert(EmailChange, { tokenId: token.id, userId: user.id, newEmail, createdAt: now });
        const outboxId = await this.outbox.mail(tx, MailTemplate.EmailChangeVerify, newEmail, {
          firstName: user.firstName || user.email,
          newEmail,
          link: `${this.config.publicUrl}/confirm-email?token=${raw}`,
          expiresInHours: TOKEN_TTL_MS.email_change / 3600_000,
        });
        await this.tokens.attachOutbox(tx.em, token.id, outboxId);
      }
      await this.outbox.mail(tx, MailTemplate.EmailChangeRequested, user.email, {
        firstName: user.firstName || user.email,
        newEmail,
        notMeLink: await this.settings.notMeLink(tx, user),
      });
      await this.audit.record(tx.em, {
        action: AuditAction.EmailChangeRequested,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId: await this.auth.partnerIdOf(user),
        customerId: user.customerId,
        ip: meta.ip,
        detail: { newEmail },
      });
    });
  }

  /**
   * Spends the link sent to the new address and switches to it, if it is still free. In the same
   * transaction, every open link mailed to the old address stops working and every session ends,
   * as after a password change, except the one that confirmed when it is the owner's own.
   */
  async confirm(raw: string, meta: SessionMeta, confirming?: ConfirmingSession): Promise<{ email: string }> {
    return this.tx.run(async ({ em }) => {
      const token = await this.tokens.consume(em, raw, ['email_change']);
      const change = token && (await em.findOneBy(EmailChange, { tokenId: token.id }));
      const user = change && (await this.users.findById(change.userId, em));
      if (!token || !change || !user || user.status === 'disabled') throw new InvalidTokenProblem();
      const holder = await this.users.findByEmail(change.newEmail, em);
      if (holder && holder.id !== user.id)
        throw new ConflictProblem('This email address is no longer available.', [
          { field: 'newEmail', message: 'is already in use' },
        ]);
      const now = this.clock.now();
      await this.users.update(em, user.id, { email: change.newEmail, emailVerifiedAt: now, updatedAt: now });
      await em.delete(EmailChange, { userId: user.id });
      const voided = await this.tokens.voidOpen(em, user.id, OLD_ADDRESS_PURPOSES);
      const keep = confirming?.userId === user.id ? confirming.sessionId : undefined;
      await this.sessions.destroyAllForUser(em, user.id, keep);
      await this.audit.record(em, {
        action: AuditAction.EmailChanged,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId: await this.auth.partnerIdOf(user),
        customerId: user.customerId,
        ip: meta.ip,
        detail: { from: user.email, to: change.newEmail, linksVoided: voided, keptSession: !!keep },
      });
      return { email: change.newEmail };
    });
  }

  /** Whether a "this wasn't me" link can still be used, without spending it. */
  async inspectNotMe(raw: string): Promise<boolean> {
    return (await this.tokens.findValid(raw, ['not_me'])) !== null;
  }

  /**
   * "This wasn't me": the password stops working, every session ends, a pending change of
   * address is cancelled, and the owner gets a link to set a new password, which unlocks the
   * account. Whoever follows the link reads the mailbox it was sent to, so when a change of
   * address went through in the meantime, the account returns to that address (if no one else
   * holds it) and the recovery link goes there, never to the address that replaced it.
   */
  async notMe(raw: string, meta: SessionMeta): Promise<void> {
    await this.tx.run(async (tx) => {
      const token = await this.tokens.consume(tx.em, raw, ['not_me']);
      const user = token && (await this.users.findById(token.userId, tx.em));
      if (!token || !user) throw new InvalidTokenProblem();
      const now = this.clock.now();
      const owner = token.sentTo ?? user.email;
      const holder = owner === user.email ? user : await this.users.findByEmail(owner, tx.em);
      const restored = owner !== user.email && !holder;
      await this.users.update(tx.em, user.id, {
        passwordHash: null,
        failedLogins: 0,
        lockedUntil: null,
        updatedAt: now,
        ...(restored ? { email: owner } : {}),
      });
      await this.sessions.destroyAllForUser(tx.em, user.id);
      await tx.em.delete(EmailChange, { userId: user.id });
      await tx.em.update(
        ActionToken,
        { userId: user.id, purpose: 'email_change', usedAt: IsNull(), voidedAt: IsNull() },
        { voidedAt: now },
      );
      const reset = await this.tokens.issue(tx.em, {
        userId: user.id,
        purpose: 'password_reset',
        purposes: PASSWORD_TOKEN_PURPOSES,
      });
      const outboxId = await this.outbox.mail(tx, MailTemplate.AccountRecovery, owner, {
        firstName: user.firstName || owner,
        link: `${this.config.publicUrl}/reset-password?token=${reset.raw}`,
        expiresInMinutes: TOKEN_TTL_MS.password_reset / 60_000,
        forgotPasswordLink: `${this.config.publicUrl}/forgot-password`,
      });
      await this.tokens.attachOutbox(tx.em, reset.token.id, outboxId);
      await this.audit.record(tx.em, {
        action: AuditAction.AccountLockedByOwner,
        targetUserId: user.id,
        partnerId: await this.auth.partnerIdOf(user),
        customerId: user.customerId,
        ip: meta.ip,
        detail: owner !== user.email ? { from: user.email, to: owner, addressRestored: restored } : undefined,
      });
    });
  }
}
