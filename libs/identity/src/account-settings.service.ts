import { Inject, Injectable } from '@nestjs/common';
import { parsePhoneNumberFromString, CountryCode } from 'libphonenumber-js/max';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, FieldError, NotFoundProblem, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { FlatJson, Session, TransactionRunner, Tx, User, UserType } from '@lmp/database';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AuthService } from './auth.service';
import { isCountryCode } from './countries';
import { PasswordHasher } from './password-hasher';
import { checkPassword } from './password-policy';
import { ReauthService } from './reauth.service';
import { SessionMeta, SessionService } from './session.service';
import { TokenService } from './token.service';
import { UserRepository } from './user.repository';

export interface ProfileLocation {
  /** ISO 3166-1 alpha-2. */
  country: string;
  city: string | null;
}

export interface ProfileView {
  email: string;
  userType: UserType;
  firstName: string;
  lastName: string;
  /** E.164, e.g. +4930123456. */
  phone: string | null;
  location: ProfileLocation | null;
  emailVerified: boolean;
}

export interface ProfileChanges {
  userType?: UserType;
  firstName?: string;
  lastName?: string;
  phone?: string | null;
  location?: { country: string; city?: string | null } | null;
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

export interface SessionListItem {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

/** The location column holds `{"country","city"}` as JSON text; older free text reads as none. */
export function parseLocation(stored: string | null): ProfileLocation | null {
  if (!stored) return null;
  try {
    const v = JSON.parse(stored) as { country?: unknown; city?: unknown };
    if (typeof v.country !== 'string') return null;
    return { country: v.country, city: typeof v.city === 'string' && v.city ? v.city : null };
  } catch {
    return null;
  }
}

/** A phone number as typed, in E.164; the country helps when no +prefix is given. */
export function normalizePhone(input: string, country?: string): string | null {
  const parsed = parsePhoneNumberFromString(input, country as CountryCode | undefined);
  return parsed && parsed.isValid() ? parsed.number : null;
}

const utcMinute = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/**
 * My Profile: the signed-in user's own profile, password and sessions. Every change is audited;
 * a password change emails a notice with a "this wasn't me" link.
 */
@Injectable()
export class AccountSettingsService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
    private readonly reauth: ReauthService,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async getProfile(userId: string): Promise<ProfileView> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundProblem('user');
    return profileView(user);
  }

  /** Changes the given fields. The phone must be a real number; the country one of ISO 3166. */
  async updateProfile(user: User, input: ProfileChanges, meta: SessionMeta): Promise<ProfileView> {
    const errors: FieldError[] = [];
    const changes: Partial<User> = {};
    if (input.userType !== undefined) changes.userType = input.userType;
    if (input.firstName !== undefined) changes.firstName = input.firstName.trim();
    if (input.lastName !== undefined) changes.lastName = input.lastName.trim();
    if (input.location !== undefined) {
      if (input.location === null) changes.location = null;
      else {
        const country = input.location.country.trim().toUpperCase();
        const city = input.location.city?.trim() || null;
        if (!isCountryCode(country))
          errors.push({ field: 'location.country', message: 'must be an ISO 3166 country code' });
        else changes.location = JSON.stringify({ country, city });
      }
    }
    if (input.phone !== undefined) {
      if (input.phone === null || input.phone.trim() === '') changes.phone = null;
      else {
        const country = parseLocation(changes.location ?? user.location)?.country;
        const phone = normalizePhone(input.phone, country);
        if (!phone) errors.push({ field: 'phone', message: 'must be a valid phone number, like +14155550123' });
        else changes.phone = phone;
      }
    }
    if (errors.length) throw new ValidationProblem(errors);
    const changed: FlatJson = {};
    for (const [key, value] of Object.entries(changes) as Array<[keyof User & string, string | null]>) {
      if (user[key] !== value) changed[key] = key === 'phone' ? 'changed' : value;
    }
    if (Object.keys(changed).length === 0) return profileView(user);
    const next: User = { ...user, ...changes, updatedAt: this.clock.now() };
    await this.tx.run(async ({ em }) => {
      await this.users.update(em, user.id, { ...changes, updatedAt: next.updatedAt });
      await this.audit.record(em, {
        action: AuditAction.ProfileChanged,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId: await this.auth.partnerIdOf(user),
        customerId: user.customerId,
        ip: meta.ip,
        detail: changed,
      });
    });
    return profileView(next);
  }

  /**
   * Sets a new password after checking the current one. Every session of the user ends; the one
   * that asked gets a fresh id (returned, for the cookie), so a stolen old id is worth nothing.
   * A wrong current password counts like a failed sign-in; a few in a row end the session.
   */
  async changePassword(user: User, session: Session, input: PasswordChange, meta: SessionMeta): Promise<string> {
    const errors: FieldError[] = [...checkPassword(input.newPassword, user.email, 'newPassword')];
    if (input.newPassword !== input.confirmPassword)
      errors.push({ field: 'confirmPassword', message: 'does not match the new password' });
    const currentOk = await this.reauth.checkPassword(user, session, input.currentPassword, meta, 'password_change');
    if (!currentOk) errors.unshift({ field: 'currentPassword', message: 'is not correct' });
    if (errors.length) throw new ValidationProblem(errors);
    const passwordHash = await this.hasher.hash(input.newPassword);

    return this.tx.run(async (tx) => {
      const now = this.clock.now();
      await this.users.update(tx.em, user.id, { passwordHash, passwordChangedAt: now, updatedAt: now });
      await this.sessions.destroyAllForUser(tx.em, user.id);
      const raw = await this.sessions.create(user.id, meta, session.mfaPassed, tx.em);
      await this.outbox.mail(tx, MailTemplate.PasswordChanged, user.email, {
        firstName: user.firstName || user.email,
        changedAt: utcMinute(now),
        signInLink: `${this.config.publicUrl}/login`,
        notMeLink: await this.notMeLink(tx, user),
      });
      await this.audit.record(tx.em, {
        action: AuditAction.PasswordChanged,
        actorUserId: user.id,
        targetUserId: user.id,
        partnerId: await this.auth.partnerIdOf(user),
        customerId: user.customerId,
        ip: meta.ip,
      });
      return raw;
    });
  }

  /**
   * A "this wasn't me" link for a security notice to the user's current address, written in the
   * caller's transaction. The address is kept with the link: it is where recovery goes.
   */
  async notMeLink(tx: Tx, user: Pick<User, 'id' | 'email'>): Promise<string> {
    const { raw } = await this.tokens.issue(tx.em, {
      userId: user.id,
      purpose: 'not_me',
      purposes: ['not_me'],
      sentTo: user.email,
    });
    return `${this.config.publicUrl}/not-me?token=${raw}`;
  }

  async listSessions(userId: string, currentSessionId: string): Promise<{ items: SessionListItem[] }> {
    const rows = await this.sessions.listForUser(userId);
    return {
      items: rows.map((s) => ({
        id: s.id,
        userAgent: s.userAgent,
        ip: s.ip,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        current: s.id === currentSessionId,
      })),
    };
  }

  /** Signs one of the user's own sessions out; another user's session id answers 404. */
  async revokeSession(user: User, sessionId: string, meta: SessionMeta): Promise<void> {
    await this.tx.run(async ({ em }) => {
      if (!(await this.sessions.destroyOneForUser(em, user.id, sessionId))) throw new NotFoundProblem('session');
      await this.recordRevoked(em, user, meta, 'one');
    });
  }

  /** Signs every other session out; this one stays. */
  async revokeOtherSessions(user: User, currentSessionId: string, meta: SessionMeta): Promise<void> {
    await this.tx.run(async ({ em }) => {
      await this.sessions.destroyAllForUser(em, user.id, currentSessionId);
      await this.recordRevoked(em, user, meta, 'others');
    });
  }

  private async recordRevoked(em: Tx['em'], user: User, meta: SessionMeta, which: string): Promise<void> {
    await this.audit.record(em, {
      action: AuditAction.SessionRevoked,
      actorUserId: user.id,
      targetUserId: user.id,
      partnerId: await this.auth.partnerIdOf(user),
      customerId: user.customerId,
      ip: meta.ip,
      detail: { which },
    });
  }
}

export function profileView(user: User): ProfileView {
  return {
    email: user.email,
    userType: user.userType,
    firstName: user.firstName,
    lastName: user.lastName,
    phone: user.phone,
    location: parseLocation(user.location),
    emailVerified: user.emailVerifiedAt !== null,
  };
}
