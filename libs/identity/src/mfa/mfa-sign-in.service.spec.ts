import { AuditAction } from '@lmp/audit';
import { RateLimitedProblem } from '@lmp/common';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { RecoveryCode, Session, TransactionRunner } from '@lmp/database';
import { anMfaMethod, aUser, inlineTransactions } from '@lmp/database/testing';
import { AuthService } from '../auth.service';
import { SessionService } from '../session.service';
import { MfaChangeLog } from './mfa-change-log';
import { MfaCodes } from './mfa-codes.service';
import { InvalidCode, MfaSignInService, PENDING_MAX_FAILURES } from './mfa-sign-in.service';
import { MfaRepository } from './mfa.repository';

const meta = { ip: '203.0.113.9' };

function setup() {
  const { runner, tx } = inlineTransactions();
  const t = newTestService(MfaSignInService, [[TransactionRunner, runner]]);
  t.mock(AuthService).startSession.mockResolvedValue('full-session');
  t.mock(SessionService).create.mockResolvedValue('pending-session');
  t.mock(AuthService).isLocked.mockReturnValue(false);
  return { ...t, tx };
}

function pendingFor(t: ReturnType<typeof setup>, user = aUser({ mfaEnabled: true })) {
  const session = { id: 'pending-1' } as Session;
  t.mock(SessionService).resolvePending.mockResolvedValue({ user, session });
  return { user, session };
}

describe('MfaSignInService', () => {
  it('starts a full session at once for a user without 2FA', async () => {
    const t = setup();
    const user = aUser();

    expect(await t.sut.begin(user, meta)).toEqual({ mfaRequired: false, raw: 'full-session' });
    expect(t.mock(MfaRepository).confirmed).not.toHaveBeenCalled();
  });

  it("holds a 2FA user in a pending session, and sends the default method's code when it is SMS or email", async () => {
    const t = setup();
    const user = aUser({ mfaEnabled: true });
    const sms = anMfaMethod({ userId: user.id, kind: 'sms', target: '+14155550123', isDefault: true });
    t.mock(MfaRepository).confirmed.mockResolvedValue([anMfaMethod({ userId: user.id }), sms]);
    // A code sent moments ago still works: a refused resend does not stop the sign-in.
    t.mock(MfaCodes).sendForMethod.mockRejectedValue(new RateLimitedProblem(20));

    const start = await t.sut.begin(user, meta);

    expect(start).toMatchObject({ mfaRequired: true, pendingRaw: 'pending-session' });
    expect(start.mfaRequired && start.methods.map((m) => m.hint)).toEqual([
      'Authenticator app',
      'Text message to +14 ••• 0123',
    ]);
    expect(t.mock(SessionService).create).toHaveBeenCalledWith(user.id, meta, false);
    expect(t.mock(MfaCodes).sendForMethod).toHaveBeenCalledWith(user, sms.id, meta, 'sign-in');
    expect(t.mock(AuthService).startSession).not.toHaveBeenCalled();
  });

  it('completes with a correct code: the pending session ends and a full one starts', async () => {
    const t = setup();
    const { user } = pendingFor(t);
    t.mock(MfaCodes).verifyForMethod.mockResolvedValue({ ok: true, kind: 'totp' });

    expect(await t.sut.complete('pending', { methodId: 'm-1', code: '123456' }, meta)).toEqual({
      raw: 'full-session',
      user,
    });
    expect(t.mock(SessionService).destroy).toHaveBeenCalledWith('pending');
    expect(t.mock(AuthService).startSession).toHaveBeenCalledWith(user, meta, { mfa: 'totp' });
  });

  it('counts a wrong code toward the lockout, and ends the pending sign-in after a few', async () => {
    const t = setup();
    const { user, session } = pendingFor(t);
    t.mock(MfaCodes).verifyForMethod.mockResolvedValue({ ok: false, reason: 'wrong' });
    t.mock(SessionService).countPendingFailure.mockResolvedValueOnce(1);

    await expect(t.sut.complete('pending', { methodId: 'm-1', code: '0' }, meta)).rejects.toBeInstanceOf(InvalidCode);
    expect(t.mock(AuthService).recordCodeFailure).toHaveBeenCalledWith(user, meta);
    expect(t.mock(SessionService).countPendingFailure).toHaveBeenCalledWith(session.id);
    expect(t.mock(SessionService).destroy).not.toHaveBeenCalled();

    t.mock(SessionService).countPendingFailure.mockResolvedValueOnce(PENDING_MAX_FAILURES);
    await expect(t.sut.complete('pending', { methodId: 'm-1', code: '0' }, meta)).rejects.toBeInstanceOf(InvalidCode);
    expect(t.mock(SessionService).destroy).toHaveBeenCalledWith('pending');
    expect(t.mock(AuthService).startSession).not.toHaveBeenCalled();
  });

  it('spends a recovery code, and warns by email when few are left', async () => {
    const t = setup();
    const { user } = pendingFor(t);
    const unused = [{ id: 'r1' }, { id: 'r2' }, { id: 'r3' }] as RecoveryCode[];
    t.mock(MfaRepository).unusedRecoveryCodes.mockResolvedValue(unused);
    t.mock(MfaCodes).matchRecoveryCode.mockReturnValue(unused[1]);
    t.mock(MfaRepository).spendRecoveryCode.mockResolvedValue(true);

    await t.sut.complete('pending', { recoveryCode: 'abcde-fghjk' }, meta);

    expect(t.mock(MfaRepository).spendRecoveryCode).toHaveBeenCalledWith(t.tx.em, user.id, 'r2', TEST_NOW);
    expect(t.mock(MfaChangeLog).record).toHaveBeenCalledWith(t.tx, user, AuditAction.MfaRecoveryCodeUsed, meta, {
      left: 2,
    });
    expect(t.mock(MfaChangeLog).notifyRecoveryCodesLow).toHaveBeenCalledWith(t.tx, user, 2);
    expect(t.mock(AuthService).startSession).toHaveBeenCalledWith(user, meta, { mfa: 'recovery_code' });
  });

  it('refuses a recovery code spent by a parallel request, as a wrong one', async () => {
    const t = setup();
    pendingFor(t);
    t.mock(MfaRepository).unusedRecoveryCodes.mockResolvedValue([{ id: 'r1' }] as RecoveryCode[]);
    t.mock(MfaCodes).matchRecoveryCode.mockReturnValue({ id: 'r1' } as RecoveryCode);
    t.mock(MfaRepository).spendRecoveryCode.mockResolvedValue(false);
    t.mock(SessionService).countPendingFailure.mockResolvedValue(1);

    await expect(t.sut.complete('pending', { recoveryCode: 'abcde-fghjk' }, meta)).rejects.toBeInstanceOf(InvalidCode);
    expect(t.mock(MfaChangeLog).record).not.toHaveBeenCalled();
    expect(t.mock(AuthService).startSession).not.toHaveBeenCalled();
  });

  it('gives one answer for a missing pending sign-in and for a locked account', async () => {
    const t = setup();
    t.mock(SessionService).resolvePending.mockResolvedValue(null);
    await expect(t.sut.complete(undefined, { methodId: 'm', code: '1' }, meta)).rejects.toBeInstanceOf(InvalidCode);
    await expect(t.sut.send(undefined, 'm', meta)).rejects.toBeInstanceOf(InvalidCode);

    pendingFor(t);
    t.mock(AuthService).isLocked.mockReturnValue(true);
    await expect(t.sut.complete('pending', { methodId: 'm', code: '1' }, meta)).rejects.toBeInstanceOf(InvalidCode);
    expect(t.mock(MfaCodes).verifyForMethod).not.toHaveBeenCalled();
  });
});
