import { Injectable } from '@nestjs/common';
import { AuditAction } from '@lmp/audit';
import { Clock, ConflictProblem, NotFoundProblem, ValidationProblem } from '@lmp/common';
import { Partner, Session, TransactionRunner, Tx, User } from '@lmp/database';
import { ReauthService } from '../reauth.service';
import { SessionMeta, SessionService } from '../session.service';
import { UserRepository } from '../user.repository';
import { MfaChangeLog } from './mfa-change-log';
import { MfaCodes, wrongCode } from './mfa-codes.service';
import { methodHint, MfaMethodView, MfaOverview, methodView, overviewView } from './mfa.presenter';
import { MfaRepository } from './mfa.repository';

/**
 * Two-factor authentication of the signed-in user once set up: what is on, confirming it's them,
 * the default, removal, recovery codes and turning it off (also at their partner's hands).
 * Setting a method up is MfaSetupService; the second sign-in step is MfaSignInService.
 */
@Injectable()
export class MfaService {
  constructor(
    private readonly repo: MfaRepository,
    private readonly users: UserRepository,
    private readonly reauth: ReauthService,
    private readonly sessions: SessionService,
    private readonly codes: MfaCodes,
    private readonly changes: MfaChangeLog,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async overview(userId: string): Promise<MfaOverview> {
    const methods = await this.repo.confirmed(userId);
    return overviewView(methods, methods.length ? await this.repo.countRecoveryCodesLeft(userId) : 0);
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
    const check = await this.codes.verifyForMethod(user, input.methodId ?? '', input.code ?? '');
    if (check.ok) return this.reauth.succeeded(user, session, { meta, via: check.kind ?? 'code' });
    await this.reauth.failed(user, session, meta, 'reauth');
    throw wrongCode(check.reason);
  }

  /** A "confirm it's you" code, by SMS or email, for one of the user's confirmed methods. */
  async sendReauthCode(user: User, methodId: string, meta: SessionMeta): Promise<void> {
    await this.codes.sendForMethod(user, methodId, meta, 'reauth');
  }

  async setDefault(user: User, session: Session, methodId: string, meta: SessionMeta): Promise<MfaMethodView> {
    this.reauth.requireRecent(user, session);
    return this.tx.run(async (tx) => {
      const method = await this.repo.find(user.id, methodId, tx.em);
      if (!method || !method.confirmedAt) throw new NotFoundProblem('two-factor method');
      if (!method.isDefault) {
        await this.repo.setDefault(tx.em, user.id, method.id);
        await this.changes.record(tx, user, AuditAction.MfaDefaultChanged, meta, { kind: method.kind });
        await this.changes.notify(tx, user, `${methodHint(method)} is now the default method`);
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
      await this.changes.record(tx, user, AuditAction.MfaMethodRemoved, meta, { kind: method.kind });
      await this.changes.notify(tx, user, `${methodHint(method)} was removed`);
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
      if (removed !== null) await this.changes.record(tx, user, AuditAction.MfaDisabled, meta, { methods: removed });
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
      const recoveryCodes = await this.codes.issueRecoveryCodes(tx, user.id);
      await this.changes.record(tx, user, AuditAction.MfaRecoveryCodesRegenerated, meta, {});
      await this.changes.notify(tx, user, 'new recovery codes were created and the old ones stopped working');
      return { recoveryCodes };
    });
  }

  private async turnOff(tx: Tx, user: User, by: { exceptSessionId?: string; disabledBy: string | null }) {
    const methods = await this.repo.list(user.id, tx.em);
    if (methods.length === 0 && !user.mfaEnabled) return null;
    const now = this.clock.now();
    await this.repo.removeAll(tx.em, user.id);
    await this.users.update(tx.em, user.id, { mfaEnabled: false, updatedAt: now });
    await this.sessions.destroyAllForUser(tx.em, user.id, by.exceptSessionId);
    await this.changes.notifyTurnedOff(tx, user, by.disabledBy, now);
    return methods.length;
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
}
