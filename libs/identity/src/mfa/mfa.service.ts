import { Inject, Injectable, Logger } from '@nestjs/common';
import * as QRCode from 'qrcode';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, ConflictProblem, NotFoundProblem, RateLimitedProblem, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { MfaKind, MfaMethod, newId, Partner, Session, TransactionRunner, Tx, User } from '@lmp/database';
import { MailTemplate, OutboxWriter, SmsTemplate } from '@lmp/notifications';
import { AuthService } from '../auth.service';
import { RateLimitStore } from '../rate-limit.store';
import { ReauthService } from '../reauth.service';
import { SessionMeta, SessionService } from '../session.service';
import { normalizeEmail, UserRepository } from '../user.repository';
import { normalizePhone } from '../account-settings.service';
import {
  checkSentCode,
  CodeCheck,
  CodeHasher,
  newRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
  RECOVERY_CODES_LOW,
  SENT_CODE_TTL_MS,
  sixDigits,
} from './codes';
import { MfaRepository } from './mfa.repository';
import { SecretBox } from './secret-box';
import { newTotpSecret, otpauthUrl, verifyTotp } from './totp';

/** A user may keep this many methods, pending ones included. */
export const MAX_METHODS = 10;
/** A code is sent at most once per this long for a method, and at most SEND_LIMIT times per SEND_WINDOW. */
export const RESEND_AFTER_MS = 30_000;
export const SEND_LIMIT = { limit: 10, windowMs: 15 * 60_000, blockMs: 15 * 60_000 };
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface MfaMethodView {
  id: string;
  kind: MfaKind;
  /** What the user sees: "Authenticator app", a masked phone or address. */
  hint: string;
  isDefault: boolean;
  confirmed: boolean;
  createdAt: string;
}

export interface MfaOverview {
  enabled: boolean;
  methods: MfaMethodView[];
  recoveryCodesLeft: number;
}

export interface TotpSetup {
  methodId: string;
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

const KIND_LABEL: Record<MfaKind, string> = { totp: 'Authenticator app', sms: 'Text message', email: 'Email' };

export function maskPhone(e164: string): string {
  return `${e164.slice(0, 3)} ••• ${e164.slice(-4)}`;
}

export function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
}

export function methodHint(m: Pick<MfaMethod, 'kind' | 'target'>): string {
  if (m.kind === 'sms' && m.target) return `${KIND_LABEL.sms} to ${maskPhone(m.target)}`;
  if (m.kind === 'email' && m.target) return `${KIND_LABEL.email} to ${maskEmail(m.target)}`;
  return KIND_LABEL.totp;
}

export function methodView(m: MfaMethod): MfaMethodView {
  return {
    id: m.id,
    kind: m.kind,
    hint: methodHint(m),
    isDefault: m.isDefault,
    confirmed: m.confirmedAt !== null,
    createdAt: m.createdAt.toISOString(),
  };
}

const utcMinute = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/**
 * Two-factor authentication of the signed-in user: setting methods up and confirming them,
 * the default, removal, recovery codes and turning it off; and checking a code at sign-in.
 * Every change is audited and announced by email; secrets are sealed, codes kept as HMACs.
 */
@Injectable()
export class MfaService {
  private readonly logger = new Logger(MfaService.name);
  private readonly box: SecretBox;
  private readonly codes: CodeHasher;

  constructor(
    private readonly repo: MfaRepository,
    private readonly users: UserRepository,
    private readonly reauth: ReauthService,
    private readonly sessions: SessionService,
    private readonly auth: AuthService,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly limits: RateLimitStore,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.dataEncryptionKey);
    this.codes = new CodeHasher(config.sessionSecret);
  }

  async overview(userId: string): Promise<MfaOverview> {
    const methods = await this.repo.confirmed(userId);
    return {
      enabled: methods.length > 0,
      methods: methods.map(methodView),
      recoveryCodesLeft: methods.length ? await this.repo.countRecoveryCodesLeft(userId) : 0,
    };
  }

  /** One of the user's methods, pending or confirmed; 404 for anyone else's id. */
  async method(userId: string, methodId: string): Promise<MfaMethodView> {
    const method = await this.repo.find(userId, methodId);
    if (!method) throw new NotFoundProblem('two-factor method');
    return methodView(method);
  }

  /**
   * Proves, inside a session, that its user is still the owner: the password, or a current code
   * of a confirmed method (a code is spent, as at sign-in). Opens the re-authentication window.
   * A wrong one is a 400 on its field and counts like a failed sign-in; see ReauthService.
   */
  async reauthenticate(
    user: User,
    session: Session,
    input: { password?: string; methodId?: string; code?: string },
    meta: SessionMeta,
  ): Promise<void> {
    if (input.password !== undefined) {
      if (!(await this.reauth.checkPassword(user, session, input.password, meta, 'reauth')))
        throw new ValidationProblem([{ field: 'password', message: 'is not correct' }]);
      return;
    }
    const check = await this.verifySignInCode(user, input.methodId ?? '', input.code ?? '');
    if (check.ok) return this.reauth.succeeded(user, session, { meta, via: check.kind ?? 'code' });
    await this.reauth.failed(user, session, meta, 'reauth');
    throw wrongCode(check.reason);
  }

  /** A pending authenticator-app method: its key as text, as an otpauth:// URL and as a QR code. */
  async setupTotp(user: User, session: Session): Promise<TotpSetup> {
    this.reauth.requireRecent(user, session);
    const secret = newTotpSecret();
    const method = this.newMethod(user.id, 'totp', null);
    method.secret = this.box.seal(secret, this.sealContext(method));
    await this.tx.run(async ({ em }) => {
      await this.users.findForUpdate(em, user.id);
      const all = await this.repo.list(user.id, em);
      // An unfinished set-up of the app is replaced: only the newest QR code counts.
      const stale = all.filter((m) => m.kind === 'totp' && !m.confirmedAt).map((m) => m.id);
      if (all.length - stale.length >= MAX_METHODS) throw tooMany();
      await this.repo.remove(em, user.id, stale);
      await this.repo.insert(em, method);
    });
    const url = otpauthUrl(secret, user.email);
    return {
      methodId: method.id,
      secret,
      otpauthUrl: url,
      qrDataUrl: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 1, width: 220 }),
    };
  }

  /** A pending text-message method; a code goes to the phone. */
  async setupSms(user: User, session: Session, phoneInput: string, meta: SessionMeta): Promise<{ methodId: string }> {
    this.reauth.requireRecent(user, session);
    const phone = normalizePhone(phoneInput ?? '');
    if (!phone)
      throw new ValidationProblem([{ field: 'phone', message: 'must be a valid phone number, like +14155550123' }]);
    return this.setupSent(user, 'sms', phone, meta);
  }

  /** A pending email method; a code goes to the address (which may differ from the sign-in one). */
  async setupEmail(user: User, session: Session, emailInput: string, meta: SessionMeta): Promise<{ methodId: string }> {
    this.reauth.requireRecent(user, session);
    const email = normalizeEmail(emailInput ?? '');
    if (!EMAIL_PATTERN.test(email) || email.length > 254)
      throw new ValidationProblem([{ field: 'email', message: 'must be an email address' }]);
    return this.setupSent(user, 'email', email, meta);
  }

  private async setupSent(user: User, kind: 'sms' | 'email', target: string, meta: SessionMeta) {
    await this.countSend(user.id, target);
    const methodId = await this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      const all = await this.repo.list(user.id, tx.em);
      const same = all.find((m) => m.kind === kind && m.target === target);
      if (same?.confirmedAt)
        throw new ConflictProblem(`${methodHint(same)} is set up already.`, [
          { field: kind === 'sms' ? 'phone' : 'email', message: 'is set up already' },
        ]);
      if (same) {
        await this.sendCode(tx, user, same, 'setup', meta);
        return same.id;
      }
      if (all.length >= MAX_METHODS) throw tooMany();
      const method = this.newMethod(user.id, kind, target);
      await this.repo.insert(tx.em, method);
      await this.sendCode(tx, user, method, 'setup', meta);
      return method.id;
    });
    return { methodId };
  }

  /** Sends a new code for a pending method being set up (the previous code stops working). */
  async resendSetupCode(user: User, methodId: string, meta: SessionMeta): Promise<void> {
    const found = await this.repo.find(user.id, methodId);
    if (!found) throw new NotFoundProblem('two-factor method');
    if (found.kind === 'totp') throw noCodesToSend();
    if (found.confirmedAt) throw new ConflictProblem('This method is confirmed already.');
    await this.countSend(user.id, found.target!);
    await this.tx.run(async (tx) => {
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method || method.confirmedAt) throw new NotFoundProblem('two-factor method');
      await this.sendCode(tx, user, method, 'setup', meta);
    });
  }

  /**
   * Confirms a pending method with a code from it. The first confirmed method becomes the
   * default, turns 2FA on and returns the recovery codes, once. A method set up to replace
   * (`replaces`) the default takes the default over, so that a change keeps it on the new one.
   */
  async confirm(
    user: User,
    session: Session,
    methodId: string,
    code: string,
    meta: SessionMeta,
    replaces?: string,
  ): Promise<MfaMethodView & { recoveryCodes?: string[] }> {
    this.reauth.requireRecent(user, session);
    const result = await this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method) throw new NotFoundProblem('two-factor method');
      if (method.confirmedAt) throw new ConflictProblem('This method is confirmed already.');
      const check = await this.checkCode(tx, user, method, code);
      if (!check.ok) return { failed: check, view: undefined, recoveryCodes: undefined };
      const confirmed = await this.repo.confirmed(user.id, tx.em);
      const first = confirmed.length === 0;
      const takesDefault = first || confirmed.some((m) => m.id === replaces && m.isDefault);
      const now = this.clock.now();
      if (takesDefault && !first) await this.repo.setDefault(tx.em, user.id, method.id);
      await this.repo.update(tx.em, user.id, method.id, {
        confirmedAt: now,
        isDefault: takesDefault,
        codeHash: null,
        codeExpiresAt: null,
        codeSentAt: null,
      });
      let recoveryCodes: string[] | undefined;
      if (first) {
        await this.users.update(tx.em, user.id, { mfaEnabled: true, updatedAt: now });
        recoveryCodes = await this.issueRecoveryCodes(tx, user.id);
      }
      await this.record(tx, user, AuditAction.MfaMethodAdded, meta, { kind: method.kind, first });
      await this.notify(
        tx,
        user,
        first
          ? `two-factor authentication was turned on with ${methodHint(method)}`
          : `${methodHint(method)} was added${takesDefault ? ' as the default method' : ''}`,
      );
      return {
        failed: undefined,
        view: methodView({ ...method, confirmedAt: now, isDefault: takesDefault }),
        recoveryCodes,
      };
    });
    if (result.failed) throw wrongCode(result.failed.reason);
    return { ...result.view!, ...(result.recoveryCodes ? { recoveryCodes: result.recoveryCodes } : {}) };
  }

  async setDefault(user: User, session: Session, methodId: string, meta: SessionMeta): Promise<MfaMethodView> {
    this.reauth.requireRecent(user, session);
    return this.tx.run(async (tx) => {
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method || !method.confirmedAt) throw new NotFoundProblem('two-factor method');
      if (!method.isDefault) {
        await this.repo.setDefault(tx.em, user.id, method.id);
        await this.record(tx, user, AuditAction.MfaDefaultChanged, meta, { kind: method.kind });
        await this.notify(tx, user, `${methodHint(method)} is now the default method`);
      }
      return methodView({ ...method, isDefault: true });
    });
  }

  /**
   * Removes a method after checking the password. The last confirmed method stays: turning 2FA
   * off is its own, louder action. A removed default passes to the oldest remaining method.
   * The password in the request is the re-authentication.
   */
  async remove(user: User, session: Session, methodId: string, password: string, meta: SessionMeta): Promise<void> {
    await this.requirePassword(user, session, password, meta, 'mfa_remove');
    await this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method) throw new NotFoundProblem('two-factor method');
      if (!method.confirmedAt) {
        await this.repo.remove(tx.em, user.id, [method.id]);
        return;
      }
      const others = (await this.repo.confirmed(user.id, tx.em)).filter((m) => m.id !== method.id);
      if (others.length === 0)
        throw new ConflictProblem(
          'This is your only two-factor method. Set up another one first, or turn two-factor authentication off.',
        );
      await this.repo.remove(tx.em, user.id, [method.id]);
      if (method.isDefault) await this.repo.setDefault(tx.em, user.id, others[0].id);
      await this.record(tx, user, AuditAction.MfaMethodRemoved, meta, { kind: method.kind });
      await this.notify(tx, user, `${methodHint(method)} was removed`);
    });
  }

  /**
   * Turns 2FA off: every method and recovery code goes, the user's other sessions end and an
   * email says so. Partner staff whose partner requires 2FA cannot.
   */
  async disable(user: User, session: Session, password: string, meta: SessionMeta): Promise<void> {
    await this.requirePassword(user, session, password, meta, 'mfa_disable');
    await this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      if (await this.requiredByPartner(tx, user))
        throw new ConflictProblem(
          'Your organisation requires two-factor authentication for its staff: it cannot be turned off.',
        );
      const removed = await this.turnOff(tx, user, { exceptSessionId: session.id, disabledBy: null });
      if (removed !== null) await this.record(tx, user, AuditAction.MfaDisabled, meta, { methods: removed });
    });
  }

  /**
   * Turns 2FA off for a user who lost every factor, at the partner's hands, in the caller's
   * transaction: the same as Turn Off, every session ends, and the email names the partner.
   * Returns how many methods went, or null when 2FA was not on.
   */
  async turnOffForUser(tx: Tx, user: User, partnerName: string): Promise<number | null> {
    await this.users.findForUpdate(tx.em, user.id);
    return this.turnOff(tx, user, { disabledBy: partnerName });
  }

  private async turnOff(tx: Tx, user: User, by: { exceptSessionId?: string; disabledBy: string | null }) {
    const methods = await this.repo.list(user.id, tx.em);
    if (methods.length === 0 && !user.mfaEnabled) return null;
    const now = this.clock.now();
    await this.repo.removeAll(tx.em, user.id);
    await this.users.update(tx.em, user.id, { mfaEnabled: false, updatedAt: now });
    await this.sessions.destroyAllForUser(tx.em, user.id, by.exceptSessionId);
    await this.outbox.mail(tx, MailTemplate.MfaDisabled, user.email, {
      firstName: user.firstName || user.email,
      changedAt: utcMinute(now),
      disabledBy: by.disabledBy,
      securityLink: `${this.config.publicUrl}/account/security`,
      forgotPasswordLink: `${this.config.publicUrl}/forgot-password`,
    });
    return methods.length;
  }

  /** New recovery codes after checking the password; the old ones stop working. */
  async regenerateRecoveryCodes(
    user: User,
    session: Session,
    password: string,
    meta: SessionMeta,
  ): Promise<{ recoveryCodes: string[] }> {
    await this.requirePassword(user, session, password, meta, 'recovery_codes');
    return this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      if ((await this.repo.confirmed(user.id, tx.em)).length === 0)
        throw new ConflictProblem('Turn two-factor authentication on first.');
      const recoveryCodes = await this.issueRecoveryCodes(tx, user.id);
      await this.record(tx, user, AuditAction.MfaRecoveryCodesRegenerated, meta, {});
      await this.notify(tx, user, 'new recovery codes were created and the old ones stopped working');
      return { recoveryCodes };
    });
  }

  // ---- sign-in ----

  /** The user's confirmed methods, for the sign-in step. */
  async methodsForSignIn(userId: string): Promise<MfaMethodView[]> {
    return (await this.repo.confirmed(userId)).map(methodView);
  }

  /** Sends a sign-in code (or, inside a session, a "confirm it's you" code) for a confirmed SMS or email method. */
  async sendSignInCode(
    user: User,
    methodId: string,
    meta: SessionMeta,
    purpose: 'sign-in' | 'reauth' = 'sign-in',
  ): Promise<void> {
    const found = await this.repo.find(user.id, methodId);
    if (!found || !found.confirmedAt) throw new NotFoundProblem('two-factor method');
    if (found.kind === 'totp') throw noCodesToSend();
    await this.countSend(user.id, found.target!);
    await this.tx.run(async (tx) => {
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method || !method.confirmedAt) throw new NotFoundProblem('two-factor method');
      await this.sendCode(tx, user, method, purpose, meta);
    });
  }

  /** Sends the default method's code when the default is SMS or email; quietly nothing otherwise. */
  async sendDefaultSignInCode(user: User, meta: SessionMeta): Promise<void> {
    const def = (await this.repo.confirmed(user.id)).find((m) => m.isDefault);
    if (!def || def.kind === 'totp') return;
    try {
      await this.sendSignInCode(user, def.id, meta);
    } catch (err) {
      // A code sent moments ago still works; the page offers "send again".
      if (!(err instanceof RateLimitedProblem)) throw err;
    }
  }

  /** Checks a sign-in code of a confirmed method; a correct code is spent. */
  async verifySignInCode(user: User, methodId: string, code: string): Promise<CodeCheck & { kind?: MfaKind }> {
    return this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method || !method.confirmedAt) return { ok: false, reason: 'wrong' } as const;
      const check = await this.checkCode(tx, user, method, code);
      if (check.ok) await this.repo.update(tx.em, user.id, method.id, { codeHash: null, codeExpiresAt: null });
      return { ...check, kind: method.kind };
    });
  }

  /** Spends a recovery code; warns by email when few are left. */
  async useRecoveryCode(user: User, input: string, meta: SessionMeta): Promise<boolean> {
    const code = normalizeRecoveryCode(input);
    return this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      const unused = await this.repo.unusedRecoveryCodes(user.id, tx.em);
      const match = unused.find((c) => this.codes.matches(code, `recovery:${user.id}`, c.codeHash));
      if (!match || !(await this.repo.spendRecoveryCode(tx.em, user.id, match.id, this.clock.now()))) return false;
      const left = unused.length - 1;
      await this.record(tx, user, AuditAction.MfaRecoveryCodeUsed, meta, { left });
      if (left <= RECOVERY_CODES_LOW)
        await this.outbox.mail(tx, MailTemplate.RecoveryCodesLow, user.email, {
          firstName: user.firstName || user.email,
          left,
          securityLink: `${this.config.publicUrl}/account/security`,
        });
      return true;
    });
  }

  // ---- internals ----

  private newMethod(userId: string, kind: MfaKind, target: string | null): MfaMethod {
    return {
      id: newId(),
      userId,
      kind,
      target,
      secret: null,
      isDefault: false,
      confirmedAt: null,
      createdAt: this.clock.now(),
      lastUsedStep: null,
      codeHash: null,
      codeExpiresAt: null,
      codeTries: 0,
      codeSentAt: null,
    };
  }

  private sealContext(m: Pick<MfaMethod, 'id' | 'userId'>): string {
    return `mfa:${m.userId}:${m.id}`;
  }

  /**
   * Counts a send to a phone or address of a user; refuses beyond SEND_LIMIT. Runs before the
   * transaction (the store may itself be the database).
   */
  private async countSend(userId: string, target: string): Promise<void> {
    const hit = await this.limits.increment(
      `${userId}:${target}`,
      SEND_LIMIT.windowMs,
      SEND_LIMIT.limit,
      SEND_LIMIT.blockMs,
      'mfa-send',
    );
    if (hit.isBlocked) throw new RateLimitedProblem(hit.timeToBlockExpire);
  }

  /** A fresh code for an SMS or email method: the previous one stops working. At most one per 30 s. */
  private async sendCode(
    tx: Tx,
    user: User,
    method: MfaMethod,
    purpose: 'setup' | 'sign-in' | 'reauth',
    meta: SessionMeta,
  ) {
    const now = this.clock.now();
    // One conditional UPDATE decides: of parallel requests, one sends and the others wait.
    if (!(await this.repo.claimSend(tx.em, user.id, method.id, now, new Date(now.getTime() - RESEND_AFTER_MS)))) {
      const sentAt = (await this.repo.find(user.id, method.id, tx.em))?.codeSentAt ?? now;
      throw new RateLimitedProblem(
        Math.max(1, Math.ceil((RESEND_AFTER_MS - (now.getTime() - sentAt.getTime())) / 1000)),
      );
    }
    const code = sixDigits();
    await this.repo.update(tx.em, user.id, method.id, {
      codeHash: this.codes.hash(code, `sent:${method.id}`),
      codeExpiresAt: new Date(now.getTime() + SENT_CODE_TTL_MS),
      codeTries: 0,
    });
    method.codeSentAt = now;
    const minutes = SENT_CODE_TTL_MS / 60_000;
    if (method.kind === 'sms') {
      await this.outbox.sms(tx, SmsTemplate.VerificationCode, method.target!, { code, minutes });
    } else {
      await this.outbox.mail(tx, MailTemplate.MfaCode, method.target!, {
        firstName: user.firstName || user.email,
        code,
        minutes,
        purpose:
          purpose === 'sign-in'
            ? 'sign in to LMP'
            : purpose === 'reauth'
              ? 'confirm that it is you before changing your sign-in methods'
              : 'confirm this address for two-factor authentication',
      });
    }
    this.logger.log(
      { userId: user.id, methodId: method.id, kind: method.kind, purpose, ip: meta.ip },
      'two-factor code sent',
    );
  }

  /** Checks a code against a method; counts tries of sent codes and records used TOTP steps. */
  private async checkCode(tx: Tx, user: User, method: MfaMethod, input: string): Promise<CodeCheck> {
    const code = (input ?? '').replace(/\s/g, '');
    const now = this.clock.now();
    if (method.kind === 'totp') {
      const secret = this.openSecret(method);
      const step = verifyTotp(secret, code, now, method.lastUsedStep);
      if (step === null) return { ok: false, reason: 'wrong' };
      return (await this.repo.claimStep(tx.em, user.id, method.id, step, method.lastUsedStep))
        ? { ok: true }
        : { ok: false, reason: 'wrong' };
    }
    const { check, next } = checkSentCode(method, code, `sent:${method.id}`, now, this.codes);
    if (next) await this.repo.update(tx.em, user.id, method.id, next);
    return check;
  }

  /**
   * The TOTP key of a method; '' (which never verifies) when it cannot be opened, as after a
   * change of DATA_ENCRYPTION_KEY: the user then signs in another way, and the operator is told.
   */
  private openSecret(method: MfaMethod): string {
    if (!method.secret) return '';
    try {
      return this.box.open(method.secret, this.sealContext(method));
    } catch (err) {
      this.logger.error(
        { methodId: method.id, userId: method.userId, reason: (err as Error).message },
        'an authenticator-app key cannot be decrypted: was DATA_ENCRYPTION_KEY changed?',
      );
      return '';
    }
  }

  private async issueRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.repo.replaceRecoveryCodes(
      tx.em,
      userId,
      codes.map((c) => this.codes.hash(c, `recovery:${userId}`)),
      this.clock.now(),
    );
    return codes;
  }

  /** The password given in the request: counted when wrong, a re-authentication when right. */
  private async requirePassword(user: User, session: Session, password: string, meta: SessionMeta, purpose: string) {
    if (!(await this.reauth.checkPassword(user, session, password, meta, purpose)))
      throw new ValidationProblem([{ field: 'password', message: 'is not correct' }]);
  }

  private async requiredByPartner(tx: Tx, user: User): Promise<boolean> {
    if (!user.partnerId) return false;
    const partner = await tx.em.findOne(Partner, { select: ['requireStaffMfa'], where: { id: user.partnerId } });
    return !!partner?.requireStaffMfa;
  }

  private async record(
    tx: Tx,
    user: User,
    action: AuditAction,
    meta: SessionMeta,
    detail: Record<string, string | number | boolean>,
  ) {
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

  private async notify(tx: Tx, user: User, change: string) {
    await this.outbox.mail(tx, MailTemplate.MfaChanged, user.email, {
      firstName: user.firstName || user.email,
      change,
      changedAt: utcMinute(this.clock.now()),
      securityLink: `${this.config.publicUrl}/account/security`,
    });
  }
}

function tooMany() {
  return new ConflictProblem(`You can keep at most ${MAX_METHODS} two-factor methods. Remove one first.`);
}

function noCodesToSend() {
  return new ValidationProblem([{ field: 'methodId', message: 'is an authenticator app: it makes its own codes' }]);
}

const WRONG_CODE_DETAIL: Record<Exclude<CodeCheck, { ok: true }>['reason'], string> = {
  wrong: 'The code is not correct.',
  expired: 'The code has expired. Ask for a new one.',
  no_code: 'No code was sent for this method. Ask for one.',
  too_many_tries: 'Too many wrong codes. Ask for a new one.',
};

export function wrongCode(reason: Exclude<CodeCheck, { ok: true }>['reason']) {
  return new ValidationProblem([{ field: 'code', message: WRONG_CODE_DETAIL[reason] }], WRONG_CODE_DETAIL[reason]);
}
