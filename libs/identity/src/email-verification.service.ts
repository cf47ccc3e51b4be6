import { Inject, Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, InvalidTokenProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { TransactionRunner, Tx, User } from '@lmp/database';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AuthService } from './auth.service';
import { LinkMailLimit } from './link-mail-limit';
import { SessionMeta } from './session.service';
import { TOKEN_TTL_MS, TokenService } from './token.service';
import { UserRepository } from './user.repository';

/** Proving an address: a 24-hour link; the newest one voids the older ones. */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UserRepository,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly linkMails: LinkMailLimit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Writes a new verification link for the user into the caller's transaction. */
  async send(
    tx: Tx,
    user: Pick<User, 'id' | 'email' | 'firstName' | 'partnerId' | 'customerId'>,
    ip: string | null,
  ): Promise<void> {
    const { raw, token } = await this.tokens.issue(tx.em, {
      userId: user.id,
      purpose: 'email_verify',
      purposes: ['email_verify'],
    });
    const outboxId = await this.outbox.mail(tx, MailTemplate.EmailVerify, user.email, {
      firstName: user.firstName || user.email,
      link: `${this.config.publicUrl}/verify-email?token=${raw}`,
      expiresInHours: TOKEN_TTL_MS.email_verify / 3600_000,
    });
    await this.tokens.attachOutbox(tx.em, token.id, outboxId);
    await this.audit.record(tx.em, {
      action: AuditAction.EmailVerificationSent,
      actorUserId: user.id,
      targetUserId: user.id,
      partnerId: await this.auth.partnerIdOf(user),
      customerId: user.customerId,
      ip,
    });
  }

  /**
   * Sends a new link when the address belongs to an unverified account that has not had too
   * many link emails lately; otherwise nothing (the answer is the same either way).
   */
  async resend(email: string, meta: SessionMeta): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.emailVerifiedAt || user.status === 'disabled') return;
    if ((await this.linkMails.take(user.email)) > 0) return;
    await this.tx.run((tx) => this.send(tx, user, meta.ip ?? null));
  }

  /** The address a link verifies, without spending it; null when it cannot be used. */
  async inspect(raw: string): Promise<{ email: string } | null> {
    const token = await this.tokens.findValid(raw, ['email_verify']);
    const user = token && (await this.users.findById(token.userId));
    return user ? { email: user.email } : null;
  }

  /** Spends the link and marks the address verified. */
  async verify(raw: string, meta: SessionMeta): Promise<{ email: string }> {
    return this.tx.run(async ({ em }) => {
      const token = await this.tokens.consume(em, raw, ['email_verify']);
      const user = token && (await this.users.findById(token.userId, em));
      if (!token || !user) throw new InvalidTokenProblem();
      const now = this.clock.now();
      if (!user.emailVerifiedAt) await this.users.update(em, user.id, { emailVerifiedAt: now, updatedAt: now });
      await this.audit.record(em, {
        action: AuditAction.EmailVerified,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId: await this.auth.partnerIdOf(user),
        customerId: user.customerId,
        ip: meta.ip,
      });
      return { email: user.email };
    });
  }
}
