import { AuditAction } from '@lmp/audit';
import { ConflictProblem, ReauthRequiredProblem, ValidationProblem } from '@lmp/common';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { Session, TransactionRunner } from '@lmp/database';
import { anMfaMethod, aUser, inlineTransactions } from '@lmp/database/testing';
import { ReauthService } from '../reauth.service';
import { UserRepository } from '../user.repository';
import { MfaChangeLog } from './mfa-change-log';
import { MfaCodes } from './mfa-codes.service';
import { MAX_METHODS, MfaSetupService } from './mfa-setup.service';
import { MfaRepository } from './mfa.repository';

const meta = { ip: null };
const session = { id: 'session-1' } as Session;

function setup() {
  const { runner, tx } = inlineTransactions();
  const t = newTestService(MfaSetupService, [[TransactionRunner, runner]]);
  t.mock(MfaRepository).list.mockResolvedValue([]);
  t.mock(MfaRepository).confirmed.mockResolvedValue([]);
  t.mock(MfaCodes).sealSecret.mockReturnValue('sealed');
  return { ...t, tx };
}

describe('MfaSetupService', () => {
  it('turns 2FA on with the first confirmed method: the default, with recovery codes shown once', async () => {
    const { sut, mock, tx } = setup();
    const user = aUser();
    const pending = anMfaMethod({ userId: user.id, kind: 'sms', target: '+14155550123', confirmedAt: null });
    mock(MfaRepository).find.mockResolvedValue(pending);
    mock(MfaCodes).check.mockResolvedValue({ ok: true });
    mock(MfaCodes).issueRecoveryCodes.mockResolvedValue(['abcde-fghjk']);

    const view = await sut.confirm(user, session, pending.id, '123456', meta);

    expect(view).toMatchObject({ id: pending.id, isDefault: true, confirmed: true, recoveryCodes: ['abcde-fghjk'] });
    expect(mock(MfaRepository).update).toHaveBeenCalledWith(tx.em, user.id, pending.id, {
      confirmedAt: TEST_NOW,
      isDefault: true,
      codeHash: null,
      codeExpiresAt: null,
      codeSentAt: null,
    });
    expect(mock(UserRepository).update).toHaveBeenCalledWith(tx.em, user.id, {
      mfaEnabled: true,
      updatedAt: TEST_NOW,
    });
    expect(mock(MfaChangeLog).record).toHaveBeenCalledWith(tx, user, AuditAction.MfaMethodAdded, meta, {
      kind: 'sms',
      first: true,
    });
    expect(mock(MfaChangeLog).notify).toHaveBeenCalledWith(
      tx,
      user,
      'two-factor authentication was turned on with Text message to +14 ••• 0123',
    );
  });

  it('adds a further method without making it the default or issuing new recovery codes', async () => {
    const { sut, mock } = setup();
    const user = aUser({ mfaEnabled: true });
    const pending = anMfaMethod({ userId: user.id, confirmedAt: null });
    mock(MfaRepository).find.mockResolvedValue(pending);
    mock(MfaRepository).confirmed.mockResolvedValue([anMfaMethod({ userId: user.id, isDefault: true })]);
    mock(MfaCodes).check.mockResolvedValue({ ok: true });

    const view = await sut.confirm(user, { ...session, reauthAt: TEST_NOW } as Session, pending.id, '1', meta);

    expect(view.isDefault).toBe(false);
    expect(view).not.toHaveProperty('recoveryCodes');
    expect(mock(MfaCodes).issueRecoveryCodes).not.toHaveBeenCalled();
    expect(mock(UserRepository).update).not.toHaveBeenCalled();
  });

  it('answers a wrong code with a 400 on the code, and confirms nothing', async () => {
    const { sut, mock } = setup();
    const pending = anMfaMethod({ confirmedAt: null });
    mock(MfaRepository).find.mockResolvedValue(pending);
    mock(MfaCodes).check.mockResolvedValue({ ok: false, reason: 'wrong' });

    await expect(sut.confirm(aUser(), session, pending.id, '000000', meta)).rejects.toThrow('The code is not correct.');
    expect(mock(MfaRepository).update).not.toHaveBeenCalled();
    expect(mock(MfaChangeLog).record).not.toHaveBeenCalled();
  });

  it('asks a user with 2FA on to confirm it is them before any set-up', async () => {
    const { sut, mock } = setup();
    mock(ReauthService).requireRecent.mockImplementation(() => {
      throw new ReauthRequiredProblem();
    });

    await expect(sut.setupTotp(aUser({ mfaEnabled: true }), session)).rejects.toBeInstanceOf(ReauthRequiredProblem);
    expect(mock(MfaRepository).insert).not.toHaveBeenCalled();
  });

  it('refuses an unusable phone number before counting or sending anything', async () => {
    const { sut, mock } = setup();

    await expect(sut.setupSms(aUser(), session, 'call me', meta)).rejects.toBeInstanceOf(ValidationProblem);
    expect(mock(MfaCodes).countSend).not.toHaveBeenCalled();
    expect(mock(MfaCodes).send).not.toHaveBeenCalled();
  });

  it('refuses a phone set up already, and a method beyond the limit', async () => {
    const { sut, mock } = setup();
    const user = aUser();
    mock(MfaRepository).list.mockResolvedValueOnce([
      anMfaMethod({ userId: user.id, kind: 'sms', target: '+14155550123' }),
    ]);
    await expect(sut.setupSms(user, session, '+1 415 555 0123', meta)).rejects.toBeInstanceOf(ConflictProblem);

    mock(MfaRepository).list.mockResolvedValueOnce(
      Array.from({ length: MAX_METHODS }, () => anMfaMethod({ userId: user.id })),
    );
    await expect(sut.setupEmail(user, session, 'second@example.test', meta)).rejects.toThrow(
      `You can keep at most ${MAX_METHODS} two-factor methods`,
    );
    expect(mock(MfaRepository).insert).not.toHaveBeenCalled();
    expect(mock(MfaCodes).send).not.toHaveBeenCalled();
  });

  it('replaces an unfinished authenticator set-up: only the newest key counts', async () => {
    const { sut, mock, tx } = setup();
    const user = aUser();
    const stale = anMfaMethod({ userId: user.id, kind: 'totp', confirmedAt: null });
    mock(MfaRepository).list.mockResolvedValue([stale]);

    const result = await sut.setupTotp(user, session);

    expect(mock(MfaRepository).remove).toHaveBeenCalledWith(tx.em, user.id, [stale.id]);
    const inserted = mock(MfaRepository).insert.mock.calls[0][1];
    expect(inserted).toMatchObject({ id: result.methodId, kind: 'totp', secret: 'sealed', confirmedAt: null });
    expect(result.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(result.qrDataUrl).toMatch(/^data:image\/png;base64,/);
  });
});
