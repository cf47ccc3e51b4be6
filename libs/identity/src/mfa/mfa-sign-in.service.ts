import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AuditAction } from '@lmp/audit';
import { Clock, RateLimitedProblem } from '@lmp/common';
import { TransactionRunner, User } from '@lmp/database';
import { AuthService } from '../auth.service';
import { SessionMeta, SessionService } from '../session.service';
import { UserRepository } from '../user.repository';
import { RECOVERY_CODES_LOW } from './codes';
import { MfaChangeLog } from './mfa-change-log';
import { MfaCodes } from './mfa-codes.service';
import { MfaMethodView, methodView } from './mfa.presenter';
import { MfaRepository } from './mfa.repository';

/** A pending sign-in ends after this many wrong codes: the password must be given again. */
export const PENDING_MAX_FAILURES = 5;

export type SignInStart =
  { mfaRequired: false; raw: string } | { mfaRequired: true; pendingRaw: string; methods: MfaMethodView[] };

export type SecondFactor = { methodId: string; code: string } | { recoveryCode: string };

/** One answer for every failed second step: wrong, used or expired code, or no pending sign-in. */
export class InvalidCode extends UnauthorizedException {
  constructor() {
    super('invalid code');
  }
}

/**
 * Sign-in after the password: a full session for users without 2FA; otherwise a short pending
 * session that grants nothing but this step, the default method's code sent when it is SMS or
 * email, and a fresh session id once the code or a recovery code is right.
 */
@Injectable()
export class MfaSignInService {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly repo: MfaRepository,
    private readonly users: UserRepository,
    private readonly codes: MfaCodes,
    private readonly changes: MfaChangeLog,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** After a correct password (sign-in or a completed reset: a reset never skips the second factor). */
  async begin(user: User, meta: SessionMeta): Promise<SignInStart> {
    const methods = user.mfaEnabled ? await this.methodsOf(user.id) : [];
    if (methods.length === 0) return { mfaRequired: false, raw: await this.auth.startSession(user, meta) };
    const pendingRaw = await this.sessions.create(user.id, meta, false);
    await this.sendDefaultCode(user, meta);
    return { mfaRequired: true, pendingRaw, methods };
  }

  /** The pending sign-in of a cookie, with its methods; null when there is none (or it expired). */
  async pending(pendingRaw: string | undefined): Promise<{ user: User; methods: MfaMethodView[] } | null> {
    const found = await this.sessions.resolvePending(pendingRaw);
    if (!found) return null;
    return { user: found.user, methods: await this.methodsOf(found.user.id) };
  }

  /** "Try another way": a code by SMS or email for one of the user's methods. */
  async send(pendingRaw: string | undefined, methodId: string, meta: SessionMeta): Promise<void> {
    const found = await this.sessions.resolvePending(pendingRaw);
    if (!found) throw new InvalidCode();
    await this.codes.sendForMethod(found.user, methodId, meta, 'sign-in');
  }

  /**
   * Completes the sign-in. Returns the new session's cookie value; the pending session ends.
   * A wrong code counts toward the account's lockout and, after a few, ends the pending sign-in.
   */
  async complete(
    pendingRaw: string | undefined,
    factor: SecondFactor,
    meta: SessionMeta,
  ): Promise<{ raw: string; user: User }> {
    const found = await this.sessions.resolvePending(pendingRaw);
    if (!found || this.auth.isLocked(found.user)) throw new InvalidCode();
    const { user, session } = found;
    let via: string | null = null;
    if ('recoveryCode' in factor) {
      if (await this.useRecoveryCode(user, factor.recoveryCode, meta)) via = 'recovery_code';
    } else {
      const check = await this.codes.verifyForMethod(user, factor.methodId, factor.code);
      if (check.ok) via = check.kind ?? 'code';
    }
    if (!via) {
      await this.auth.recordCodeFailure(user, meta);
      const failures = await this.sessions.countPendingFailure(session.id);
      if (failures >= PENDING_MAX_FAILURES) await this.sessions.destroy(pendingRaw!);
      throw new InvalidCode();
    }
    await this.sessions.destroy(pendingRaw!);
    const raw = await this.auth.startSession(user, meta, { mfa: via });
    return { raw, user };
  }

  /** Ends a pending sign-in (back to the password form). */
  async cancel(pendingRaw: string | undefined): Promise<void> {
    if (await this.sessions.resolvePending(pendingRaw)) await this.sessions.destroy(pendingRaw!);
  }

  /** The user's confirmed methods, for the sign-in step. */
  private async methodsOf(userId: string): Promise<MfaMethodView[]> {
    return (await this.repo.confirmed(userId)).map(methodView);
  }

  /** Sends the default method's code when the default is SMS or email; quietly nothing otherwise. */
  private async sendDefaultCode(user: User, meta: SessionMeta): Promise<void> {
    const def = (await this.repo.confirmed(user.id)).find((m) => m.isDefault);
    if (!def || def.kind === 'totp') return;
    try {
      await this.codes.sendForMethod(user, def.id, meta, 'sign-in');
    } catch (err) {
      // A code sent moments ago still works; the page offers "send again".
      if (!(err instanceof RateLimitedProblem)) throw err;
    }
  }

  /** Spends a recovery code; warns by email when few are left. */
  private async useRecoveryCode(user: User, input: string, meta: SessionMeta): Promise<boolean> {
    return this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      const unused = await this.repo.unusedRecoveryCodes(user.id, tx.em);
      const match = this.codes.matchRecoveryCode(user.id, input, unused);
      if (!match || !(await this.repo.spendRecoveryCode(tx.em, user.id, match.id, this.clock.now()))) return false;
      const left = unused.length - 1;
      await this.changes.record(tx, user, AuditAction.MfaRecoveryCodeUsed, meta, { left });
      if (left <= RECOVERY_CODES_LOW) await this.changes.notifyRecoveryCodesLow(tx, user, left);
      return true;
    });
  }
}
