import { Inject, Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Tx, User } from '@lmp/database';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AuthService } from '../auth.service';
import { SessionMeta } from '../session.service';

const utcMinute = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/**
 * Every change to a user's second factors is audited and announced to the user by email, in the
 * caller's transaction: a change nobody asked for is then seen by the one person who can react.
 */
@Injectable()
export class MfaChangeLog {
  constructor(
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** An audit event of the user's own action on their 2FA. */
  async record(
    tx: Tx,
    user: User,
    action: AuditAction,
    meta: SessionMeta,
    detail: Record<string, string | number | boolean>,
  ): Promise<void> {
    await this.audit.record(tx.em, {
      action,
      actorUserId: user.id,
      targetUserId: user.id,
      partnerId: await this.auth.partnerIdOf(user, tx.em),
      customerId: user.customerId,
      ip: meta.ip,
      detail,
    });
  }

  /** "Your sign-in methods changed": `change` says what, in words. */
  async notify(tx: Tx, user: User, change: string): Promise<void> {
    await this.outbox.mail(tx, MailTemplate.MfaChanged, user.email, {
      firstName: user.firstName || user.email,
      change,
      changedAt: utcMinute(this.clock.now()),
      securityLink: this.securityLink(),
    });
  }

  /** 2FA was turned off, by the user (`disabledBy` null) or by their partner (named). */
  async notifyTurnedOff(tx: Tx, user: User, disabledBy: string | null, at: Date): Promise<void> {
    await this.outbox.mail(tx, MailTemplate.MfaDisabled, user.email, {
      firstName: user.firstName || user.email,
      changedAt: utcMinute(at),
      disabledBy,
      securityLink: this.securityLink(),
      forgotPasswordLink: `${this.config.publicUrl}/forgot-password`,
    });
  }

  async notifyRecoveryCodesLow(tx: Tx, user: User, left: number): Promise<void> {
    await this.outbox.mail(tx, MailTemplate.RecoveryCodesLow, user.email, {
      firstName: user.firstName || user.email,
      left,
      securityLink: this.securityLink(),
    });
  }

  private securityLink(): string {
    return `${this.config.publicUrl}/account/security`;
  }
}
