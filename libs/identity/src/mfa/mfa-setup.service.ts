import { Injectable } from '@nestjs/common';
import * as QRCode from 'qrcode';
import { AuditAction } from '@lmp/audit';
import { Clock, ConflictProblem, NotFoundProblem, ValidationProblem } from '@lmp/common';
import { MfaKind, MfaMethod, newId, Session, TransactionRunner, User } from '@lmp/database';
import { normalizePhone } from '../account-settings.service';
import { ReauthService } from '../reauth.service';
import { SessionMeta } from '../session.service';
import { normalizeEmail, UserRepository } from '../user.repository';
import { MfaChangeLog } from './mfa-change-log';
import { MfaCodes, noCodesToSend, wrongCode } from './mfa-codes.service';
import { methodHint, MfaMethodView, methodView } from './mfa.presenter';
import { MfaRepository } from './mfa.repository';
import { newTotpSecret, otpauthUrl } from './totp';

/** A user may keep this many methods, pending ones included. */
export const MAX_METHODS = 10;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface TotpSetup {
  methodId: string;
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

/**
 * Setting up a second factor: a pending method (an authenticator app's key, or a code sent to a
 * phone or address), confirmed by a code from it. The first one confirmed turns 2FA on.
 */
@Injectable()
export class MfaSetupService {
  constructor(
    private readonly repo: MfaRepository,
    private readonly users: UserRepository,
    private readonly reauth: ReauthService,
    private readonly codes: MfaCodes,
    private readonly changes: MfaChangeLog,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** A pending authenticator-app method: its key as text, as an otpauth:// URL and as a QR code. */
  async setupTotp(user: User, session: Session): Promise<TotpSetup> {
    this.reauth.requireRecent(user, session);
    const secret = newTotpSecret();
    const method = this.newMethod(user.id, 'totp', null);
    method.secret = this.codes.sealSecret(method, secret);
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

  /** Sends a new code for a pending method being set up (the previous code stops working). */
  async resendSetupCode(user: User, methodId: string, meta: SessionMeta): Promise<void> {
    const found = await this.repo.find(user.id, methodId);
    if (!found) throw new NotFoundProblem('two-factor method');
    if (found.kind === 'totp') throw noCodesToSend();
    if (found.confirmedAt) throw new ConflictProblem('This method is confirmed already.');
    await this.codes.countSend(user.id, found.target!);
    await this.tx.run(async (tx) => {
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method || method.confirmedAt) throw new NotFoundProblem('two-factor method');
      await this.codes.send(tx, user, method, 'setup', meta);
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
      const check = await this.codes.check(tx, user, method, code);
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
        recoveryCodes = await this.codes.issueRecoveryCodes(tx, user.id);
      }
      await this.changes.record(tx, user, AuditAction.MfaMethodAdded, meta, { kind: method.kind, first });
      await this.changes.notify(
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

  private async setupSent(user: User, kind: 'sms' | 'email', target: string, meta: SessionMeta) {
    await this.codes.countSend(user.id, target);
    const methodId = await this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      const all = await this.repo.list(user.id, tx.em);
      const same = all.find((m) => m.kind === kind && m.target === target);
      if (same?.confirmedAt)
        throw new ConflictProblem(`${methodHint(same)} is set up already.`, [
          { field: kind === 'sms' ? 'phone' : 'email', message: 'is set up already' },
        ]);
      if (same) {
        await this.codes.send(tx, user, same, 'setup', meta);
        return same.id;
      }
      if (all.length >= MAX_METHODS) throw tooMany();
      const method = this.newMethod(user.id, kind, target);
      await this.repo.insert(tx.em, method);
      await this.codes.send(tx, user, method, 'setup', meta);
      return method.id;
    });
    return { methodId };
  }

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
}

function tooMany() {
  return new ConflictProblem(`You can keep at most ${MAX_METHODS} two-factor methods. Remove one first.`);
}
