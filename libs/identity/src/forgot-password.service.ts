import { Inject, Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '@lmp/audit';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { TransactionRunner } from '@lmp/database';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AuthService } from './auth.service';
import { LinkMailLimit } from './link-mail-limit';
import { PASSWORD_TOKEN_PURPOSES } from './password-reset.service';
import { SessionMeta } from './session.service';
import { TOKEN_TTL_MS, TokenService } from './token.service';
import { UserRepository } from './user.repository';

/**
 * Self-service reset: a link to the address if it has an account (and it has not had too many
 * link emails lately); nothing otherwise. The
 * caller answers the same either way and runs this after the response, so that the answer's
 * timing does not tell.
 */
@Injectable()
export class ForgotPasswordService {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UserRepository,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly tx: TransactionRunner,
    private readonly linkMails: LinkMailLimit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async request(email: string, meta: SessionMeta): Promise<boolean> {
    const user = await this.users.findByEmail(email);
    if (!user || user.status === 'disabled') return false;
    // Beyond the per-recipient limit the mail is dropped without a word: the answer never
    // depends on the address.
    if ((await this.linkMails.take(user.email)) > 0) return false;
    await this.tx.run(async (tx) => {
      const { raw, token } = await this.tokens.issue(tx.em, {
        userId: user.id,
        purpose: 'password_reset',
        purposes: PASSWORD_TOKEN_PURPOSES,
      });
      const outboxId = await this.outbox.mail(tx, MailTemplate.PasswordReset, user.email, {
        firstName: user.firstName || user.email,
        link: `${this.config.publicUrl}/reset-password?token=${raw}`,
        expiresInMinutes: TOKEN_TTL_MS.password_reset / 60_000,
        partnerName: null,
      });
      await this.tokens.attachOutbox(tx.em, token.id, outboxId);
      await this.audit.record(tx.em, {
        action: AuditAction.PasswordResetRequested,
        targetUserId: user.id,
        partnerId: await this.auth.partnerIdOf(user),
        customerId: user.customerId,
        ip: meta.ip,
        detail: { requestId: token.id, selfService: true },
      });
    });
    return true;
  }
}
