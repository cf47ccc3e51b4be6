import { Inject, Injectable } from '@nestjs/common';
import { Clock, ConflictProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { newId, Tx, User, UserRole } from '@lmp/database';
import { normalizeEmail, PASSWORD_TOKEN_PURPOSES, TOKEN_TTL_MS, TokenService, UserRepository } from '@lmp/identity';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';

export interface NewUser {
  email: string;
  role: UserRole;
  /** Null: the user is invited and sets a password from the emailed link. */
  passwordHash: string | null;
  partnerId?: string;
  customerId?: string;
  firstName?: string;
  lastName?: string;
  /** Counts the address as verified even without a password (demo data). */
  verified?: boolean;
  /** Created at; the clock's now when left out. */
  now?: Date;
}

export interface Invitation {
  user: User;
  companyName: string;
  partnerName: string;
  /** Who sent it (null for the command line). */
  requestedBy: string | null;
}

/**
 * New users and their invitations: one shape of user row and one invitation email for the
 * partner console, company admins and the command line.
 */
@Injectable()
export class AccountInviter {
  constructor(
    private readonly users: UserRepository,
    private readonly tokens: TokenService,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 409 on `email` when an account has the address already (the message says no more than that). */
  async requireFreeEmail(email: string, what: string): Promise<string> {
    const normalized = normalizeEmail(email);
    if (await this.users.findByEmail(normalized)) {
      throw new ConflictProblem(`This email address cannot be used for a new ${what}.`, [
        { field: 'email', message: 'is already in use' },
      ]);
    }
    return normalized;
  }

  /** A user row: active with a password, else invited. */
  newUser(p: NewUser): User {
    const now = p.now ?? this.clock.now();
    const active = p.passwordHash !== null;
    return {
      id: newId(),
      email: normalizeEmail(p.email),
      passwordHash: p.passwordHash,
      status: active ? 'active' : 'invited',
      emailVerifiedAt: active || p.verified ? now : null,
      firstName: p.firstName?.trim() ?? '',
      lastName: p.lastName?.trim() ?? '',
      userType: 'company',
      phone: null,
      location: null,
      partnerId: p.partnerId ?? null,
      customerId: p.customerId ?? null,
      role: p.role,
      failedLogins: 0,
      lockedUntil: null,
      mfaEnabled: false,
      passwordChangedAt: active ? now : null,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Issues the invitation link (voiding older password links) and mails it, in the caller's
   * transaction. Returns the link's id (the request id) for the caller's audit event.
   */
  async invite(tx: Tx, inv: Invitation): Promise<string> {
    const outboxId = newId();
    const { raw, token } = await this.tokens.issue(tx.em, {
      userId: inv.user.id,
      purpose: 'invitation',
      purposes: PASSWORD_TOKEN_PURPOSES,
      requestedBy: inv.requestedBy,
      outboxId,
    });
    await this.outbox.mail(
      tx,
      MailTemplate.Invitation,
      inv.user.email,
      {
        firstName: inv.user.firstName || inv.user.email,
        companyName: inv.companyName,
        partnerName: inv.partnerName,
        link: `${this.config.publicUrl}/reset-password?token=${raw}`,
        expiresInHours: TOKEN_TTL_MS.invitation / 3600_000,
      },
      outboxId,
    );
    return token.id;
  }
}
