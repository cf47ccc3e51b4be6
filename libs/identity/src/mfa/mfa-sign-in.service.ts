import { Injectable, UnauthorizedException } from '@nestjs/common';
import { User } from '@lmp/database';
import { AuthService } from '../auth.service';
import { SessionMeta, SessionService } from '../session.service';
import { MfaMethodView, MfaService } from './mfa.service';

/** A pending sign-in ends after this many wrong codes: the password must be given again. */
export const PENDING_MAX_FAILURES = 5;

export type SignInStart =
  | { mfaRequired: false; raw: string }
  | { mfaRequired: true; pendingRaw: string; methods: MfaMethodView[] };

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
    private readonly mfa: MfaService,
  ) {}

  /** After a correct password (sign-in or a completed reset: a reset never skips the second factor). */
  async begin(user: User, meta: SessionMeta): Promise<SignInStart> {
    const methods = user.mfaEnabled ? await this.mfa.methodsForSignIn(user.id) : [];
    if (methods.length === 0) return { mfaRequired: false, raw: await this.auth.startSession(user, meta) };
    const pendingRaw = await this.sessions.create(user.id, meta, false);
    await this.mfa.sendDefaultSignInCode(user, meta);
    return { mfaRequired: true, pendingRaw, methods };
  }

  /** The pending sign-in of a cookie, with its methods; null when there is none (or it expired). */
  async pending(pendingRaw: string | undefined): Promise<{ user: User; methods: MfaMethodView[] } | null> {
    const found = await this.sessions.resolvePending(pendingRaw);
    if (!found) return null;
    return { user: found.user, methods: await this.mfa.methodsForSignIn(found.user.id) };
  }

  /** "Try another way": a code by SMS or email for one of the user's methods. */
  async send(pendingRaw: string | undefined, methodId: string, meta: SessionMeta): Promise<void> {
    const found = await this.sessions.resolvePending(pendingRaw);
    if (!found) throw new InvalidCode();
    await this.mfa.sendSignInCode(found.user, methodId, meta);
  }

  /**
   * Completes the sign-in. Returns the new session's cookie value; the pending session ends.
   * A wrong code counts toward the account's lockout and, after a few, ends the pending sign-in.
   */
  async complete(pendingRaw: string | undefined, factor: SecondFactor, meta: SessionMeta): Promise<{ raw: string; user: User }> {
    const found = await this.sessions.resolvePending(pendingRaw);
    if (!found || this.auth.isLocked(found.user)) throw new InvalidCode();
    const { user, session } = found;
    let via: string | null = null;
    if ('recoveryCode' in factor) {
      if (await this.mfa.useRecoveryCode(user, factor.recoveryCode, meta)) via = 'recovery_code';
    } else {
      const check = await this.mfa.verifySignInCode(user, factor.methodId, factor.code);
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
}
