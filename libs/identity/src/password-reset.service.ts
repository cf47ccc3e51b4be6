import { Inject, Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, InvalidTokenProblem, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { TokenPurpose, TransactionRunner, User } from '@lmp/database';
import { MailTemplate, OutboxWriter, PartnerEvents } from '@lmp/notifications';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';
import { checkPassword } from './password-policy';
import { SessionMeta, SessionService } from './session.service';
import { TokenService } from './token.service';
import { UserRepository } from './user.repository';

/** Links that let their holder set a password: a reset, or an invitation's first password. */
export const PASSWORD_TOKEN_PURPOSES: TokenPurpose[] = ['password_reset', 'invitation'];

export interface PasswordLinkInfo {
  purpose: TokenPurpose;
  email: string;
  firstName: string;
}

/** Completes emailed password links. Starting them is the partner console's and self-service's job. */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly outbox: OutboxWriter,
    private readonly events: PartnerEvents,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** What a link is for, without spending it; null when it cannot be used. */
  async inspect(raw: string): Promise<PasswordLinkInfo | null> {
    const token = await this.tokens.findValid(raw, PASSWORD_TOKEN_PURPOSES);
    const user = token && (await this.users.findById(token.userId));
    if (!token || !user || user.status === 'disabled') return null;
    return { purpose: token.purpose, email: user.email, firstName: user.firstName };
  }

  /**
   * Sets the new password and spends the link. Every session of the user ends; after a reset
   * the owner is told by email. The password is checked before the link is spent, so a weak
   * password does not waste the link.
   */
  async complete(raw: string, password: string, meta: SessionMeta): Promise<User> {
    const token = await this.tokens.findValid(raw, PASSWORD_TOKEN_PURPOSES);
    const user = token && (await this.users.findById(token.userId));
    if (!token || !user || user.status === 'disabled') throw new InvalidTokenProblem();
    const errors = checkPassword(password, user.email);
    if (errors.length) throw new ValidationProblem(errors);
    const passwordHash = await this.hasher.hash(password);

    return this.tx.run(async (tx) => {
      const spent = await this.tokens.consume(tx.em, raw, PASSWORD_TOKEN_PURPOSES);
      if (!spent) throw new InvalidTokenProblem();
      const now = this.clock.now();
      const changes: Partial<User> = {
        passwordHash,
        passwordChangedAt: now,
        status: 'active',
        failedLogins: 0,
        lockedUntil: null,
        updatedAt: now,
      };
      // Using a link sent to the address proves the mailbox is the user's.
      if (!user.emailVerifiedAt) changes.emailVerifiedAt = now;
      await this.users.update(tx.em, user.id, changes);
      await this.sessions.destroyAllForUser(tx.em, user.id);
      const isReset = spent.purpose === 'password_reset';
      if (isReset) {
        await this.outbox.mail(tx, MailTemplate.PasswordChanged, user.email, {
          firstName: user.firstName || user.email,
          changedAt: now.toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
          signInLink: `${this.config.publicUrl}/login`,
          // The link came from the mailbox: "this wasn't me" would lock out its own owner.
          notMeLink: null,
        });
      }
      const partnerId = await this.auth.partnerIdOf(user);
      if (isReset && partnerId && user.customerId) {
        const data = { requestId: spent.id, accountId: user.id, customerId: user.customerId };
        await this.events.record(tx, { partnerId, type: 'password_reset.used', data });
      }
      await this.audit.record(tx.em, {
        action: isReset ? AuditAction.PasswordResetCompleted : AuditAction.InvitationAccepted,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId,
        customerId: user.customerId,
        ip: meta.ip,
        detail: { requestId: spent.id },
      });
      return { ...user, ...changes };
    });
  }
}
