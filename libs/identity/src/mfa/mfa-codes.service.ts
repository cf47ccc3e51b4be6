import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, NotFoundProblem, RateLimitedProblem, SecretBox, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { MfaKind, MfaMethod, RecoveryCode, TransactionRunner, Tx, User } from '@lmp/database';
import { MailTemplate, OutboxWriter, SmsTemplate } from '@lmp/notifications';
import { RateLimitStore } from '../rate-limit.store';
import { SessionMeta } from '../session.service';
import { UserRepository } from '../user.repository';
import {
  checkSentCode,
  CodeCheck,
  CodeHasher,
  newRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
  SENT_CODE_TTL_MS,
  sixDigits,
} from './codes';
import { MfaRepository } from './mfa.repository';
import { verifyTotp } from './totp';

/** A code is sent at most once per this long for a method, and at most SEND_LIMIT times per SEND_WINDOW. */
export const RESEND_AFTER_MS = 30_000;
export const SEND_LIMIT = { limit: 10, windowMs: 15 * 60_000, blockMs: 15 * 60_000 };

export type CodePurpose = 'setup' | 'sign-in' | 'reauth';

const PURPOSE_TEXT: Record<CodePurpose, string> = {
  'sign-in': 'sign in to LMP',
  reauth: 'confirm that it is you before changing your sign-in methods',
  setup: 'confirm this address for two-factor authentication',
};

/**
 * The codes of second factors: sending them by SMS or email (limited per target and per method),
 * checking them (TOTP steps used once, tries of sent codes counted), the sealed TOTP keys and
 * the recovery codes. Codes are kept as HMACs, never as sent.
 */
@Injectable()
export class MfaCodes {
  private readonly logger = new Logger(MfaCodes.name);
  private readonly box: SecretBox;
  private readonly hasher: CodeHasher;

  constructor(
    private readonly repo: MfaRepository,
    private readonly users: UserRepository,
    private readonly outbox: OutboxWriter,
    private readonly limits: RateLimitStore,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.dataEncryptionKey);
    this.hasher = new CodeHasher(config.sessionSecret);
  }

  /** Sends a code for a confirmed SMS or email method: at sign-in, or inside a session to confirm it's you. */
  async sendForMethod(user: User, methodId: string, meta: SessionMeta, purpose: 'sign-in' | 'reauth'): Promise<void> {
    const found = await this.repo.find(user.id, methodId);
    if (!found || !found.confirmedAt) throw new NotFoundProblem('two-factor method');
    if (found.kind === 'totp') throw noCodesToSend();
    await this.countSend(user.id, found.target!);
    await this.tx.run(async (tx) => {
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method || !method.confirmedAt) throw new NotFoundProblem('two-factor method');
      await this.send(tx, user, method, purpose, meta);
    });
  }

  /** Checks a code of a confirmed method; a correct code is spent. */
  async verifyForMethod(user: User, methodId: string, code: string): Promise<CodeCheck & { kind?: MfaKind }> {
    return this.tx.run(async (tx) => {
      await this.users.findForUpdate(tx.em, user.id);
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method || !method.confirmedAt) return { ok: false, reason: 'wrong' } as const;
      const check = await this.check(tx, user, method, code);
      if (check.ok) await this.repo.update(tx.em, user.id, method.id, { codeHash: null, codeExpiresAt: null });
      return { ...check, kind: method.kind };
    });
  }

  /**
   * Counts a send to a phone or address of a user; refuses beyond SEND_LIMIT. Runs before the
   * transaction (the store may itself be the database).
   */
  async countSend(userId: string, target: string): Promise<void> {
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
  async send(tx: Tx, user: User, method: MfaMethod, purpose: CodePurpose, meta: SessionMeta): Promise<void> {
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
      codeHash: this.hasher.hash(code, `sent:${method.id}`),
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
        purpose: PURPOSE_TEXT[purpose],
      });
    }
    this.logger.log(
      { userId: user.id, methodId: method.id, kind: method.kind, purpose, ip: meta.ip },
      'two-factor code sent',
    );
  }

  /** Checks a code against a method; counts tries of sent codes and records used TOTP steps. */
  async check(tx: Tx, user: User, method: MfaMethod, input: string): Promise<CodeCheck> {
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
    const { check, next } = checkSentCode(method, code, `sent:${method.id}`, now, this.hasher);
    if (next) await this.repo.update(tx.em, user.id, method.id, next);
    return check;
  }

  /** An authenticator app's key, sealed to its method. */
  sealSecret(method: Pick<MfaMethod, 'id' | 'userId'>, secret: string): string {
    return this.box.seal(secret, sealContext(method));
  }

  /** New recovery codes (the old ones stop working): shown once, kept as HMACs. */
  async issueRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.repo.replaceRecoveryCodes(
      tx.em,
      userId,
      codes.map((c) => this.hasher.hash(c, `recovery:${userId}`)),
      this.clock.now(),
    );
    return codes;
  }

  /** Which of the user's unused recovery codes the input is, however it was typed. */
  matchRecoveryCode(userId: string, input: string, unused: RecoveryCode[]): RecoveryCode | undefined {
    const code = normalizeRecoveryCode(input);
    return unused.find((c) => this.hasher.matches(code, `recovery:${userId}`, c.codeHash));
  }

  /**
   * The TOTP key of a method; '' (which never verifies) when it cannot be opened, as after a
   * change of DATA_ENCRYPTION_KEY: the user then signs in another way, and the operator is told.
   */
  private openSecret(method: MfaMethod): string {
    if (!method.secret) return '';
    try {
      return this.box.open(method.secret, sealContext(method));
    } catch (err) {
      this.logger.error(
        { methodId: method.id, userId: method.userId, reason: (err as Error).message },
        'an authenticator-app key cannot be decrypted: was DATA_ENCRYPTION_KEY changed?',
      );
      return '';
    }
  }
}

function sealContext(m: Pick<MfaMethod, 'id' | 'userId'>): string {
  return `mfa:${m.userId}:${m.id}`;
}

export function noCodesToSend() {
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
