import { AuditAction } from '@lmp/audit';
import { ConflictProblem, ValidationProblem } from '@lmp/common';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { Partner, Session, TransactionRunner } from '@lmp/database';
import { anMfaMethod, aUser, inlineTransactions } from '@lmp/database/testing';
import { ReauthService } from '../reauth.service';
import { SessionService } from '../session.service';
import { UserRepository } from '../user.repository';
import { MfaChangeLog } from './mfa-change-log';
import { MfaCodes } from './mfa-codes.service';
import { MfaRepository } from './mfa.repository';
import { MfaService } from './mfa.service';

const meta = { ip: '203.0.113.9' };
const session = { id: 'session-1', reauthAt: TEST_NOW } as Session;

function setup() {
  const { runner, tx } = inlineTransactions();
  const t = newTestService(MfaService, [[TransactionRunner, runner]]);
  t.mock(ReauthService).checkPassword.mockResolvedValue(true);
  return { ...t, tx };
}

describe('MfaService', () => {
  describe('removing a method', () => {
    it('refuses to remove the last confirmed method: turning 2FA off is its own action', async () => {
      const { sut, mock } = setup();
      const user = aUser({ mfaEnabled: true });
      const only = anMfaMethod({ userId: user.id, isDefault: true });
      mock(MfaRepository).find.mockResolvedValue(only);
      mock(MfaRepository).confirmed.mockResolvedValue([only]);

      await expect(sut.remove(user, session, only.id, 'pw', meta)).rejects.toBeInstanceOf(ConflictProblem);

      expect(mock(MfaRepository).remove).not.toHaveBeenCalled();
      expect(mock(MfaChangeLog).notify).not.toHaveBeenCalled();
    });

    it('passes the default to the oldest remaining method, and audits and announces the removal', async () => {
      const { sut, mock, tx } = setup();
      const user = aUser({ mfaEnabled: true });
      const app = anMfaMethod({ userId: user.id, isDefault: true });
      const sms = anMfaMethod({ userId: user.id, kind: 'sms', target: '+14155550123' });
      const email = anMfaMethod({ userId: user.id, kind: 'email', target: 'ada@example.test' });
      mock(MfaRepository).find.mockResolvedValue(app);
      mock(MfaRepository).confirmed.mockResolvedValue([app, sms, email]);

      await sut.remove(user, session, app.id, 'pw', meta);

      expect(mock(MfaRepository).remove).toHaveBeenCalledWith(tx.em, user.id, [app.id]);
      expect(mock(MfaRepository).setDefault).toHaveBeenCalledWith(tx.em, user.id, sms.id);
      expect(mock(MfaChangeLog).record).toHaveBeenCalledWith(tx, user, AuditAction.MfaMethodRemoved, meta, {
        kind: 'totp',
      });
      expect(mock(MfaChangeLog).notify).toHaveBeenCalledWith(tx, user, 'Authenticator app was removed');
    });

    it('drops a pending method quietly, even when no method is confirmed', async () => {
      const { sut, mock, tx } = setup();
      const user = aUser();
      const pending = anMfaMethod({ userId: user.id, confirmedAt: null });
      mock(MfaRepository).find.mockResolvedValue(pending);

      await sut.remove(user, session, pending.id, 'pw', meta);

      expect(mock(MfaRepository).remove).toHaveBeenCalledWith(tx.em, user.id, [pending.id]);
      expect(mock(MfaChangeLog).notify).not.toHaveBeenCalled();
    });

    it('checks the password first: a wrong one is a 400 on its field and removes nothing', async () => {
      const { sut, mock } = setup();
      mock(ReauthService).checkPassword.mockResolvedValue(false);

      await expect(sut.remove(aUser(), session, 'm-1', 'wrong', meta)).rejects.toBeInstanceOf(ValidationProblem);
      expect(mock(MfaRepository).find).not.toHaveBeenCalled();
    });
  });

  describe("turning 2FA off, and the partner's staff policy", () => {
    it('refuses partner staff whose partner requires 2FA, and changes nothing', async () => {
      const { sut, mock, tx } = setup();
      const staff = aUser({ partnerId: 'p-1', role: 'partner_support', mfaEnabled: true });
      tx.em.findOne.mockResolvedValue({ requireStaffMfa: true } as Partner);

      await expect(sut.disable(staff, session, 'pw', meta)).rejects.toThrow(
        /requires two-factor authentication for its staff/,
      );

      expect(tx.em.findOne).toHaveBeenCalledWith(Partner, { select: ['requireStaffMfa'], where: { id: 'p-1' } });
      expect(mock(MfaRepository).removeAll).not.toHaveBeenCalled();
      expect(mock(SessionService).destroyAllForUser).not.toHaveBeenCalled();
    });

    it('lets staff turn it off when their partner does not require it, ending every other session', async () => {
      const { sut, mock, tx } = setup();
      const staff = aUser({ partnerId: 'p-1', role: 'partner_support', mfaEnabled: true });
      tx.em.findOne.mockResolvedValue({ requireStaffMfa: false } as Partner);
      mock(MfaRepository).list.mockResolvedValue([anMfaMethod(), anMfaMethod()]);

      await sut.disable(staff, session, 'pw', meta);

      expect(mock(MfaRepository).removeAll).toHaveBeenCalledWith(tx.em, staff.id);
      expect(mock(UserRepository).update).toHaveBeenCalledWith(tx.em, staff.id, {
        mfaEnabled: false,
        updatedAt: TEST_NOW,
      });
      expect(mock(SessionService).destroyAllForUser).toHaveBeenCalledWith(tx.em, staff.id, 'session-1');
      expect(mock(MfaChangeLog).notifyTurnedOff).toHaveBeenCalledWith(tx, staff, null, TEST_NOW);
      expect(mock(MfaChangeLog).record).toHaveBeenCalledWith(tx, staff, AuditAction.MfaDisabled, meta, {
        methods: 2,
      });
    });

    it('never asks a customer user about a partner policy', async () => {
      const { sut, mock, tx } = setup();
      const user = aUser({ customerId: 'c-1', mfaEnabled: true });
      mock(MfaRepository).list.mockResolvedValue([anMfaMethod()]);

      await sut.disable(user, session, 'pw', meta);

      expect(tx.em.findOne).not.toHaveBeenCalled();
      expect(mock(MfaRepository).removeAll).toHaveBeenCalledWith(tx.em, user.id);
    });

    it("at the partner's hands: every session ends, the email names the partner; null when 2FA was off", async () => {
      const { sut, mock, tx } = setup();
      const user = aUser({ mfaEnabled: true });
      mock(MfaRepository).list.mockResolvedValue([anMfaMethod()]);

      expect(await sut.turnOffForUser(tx, user, 'Northwind Partners')).toBe(1);
      expect(mock(SessionService).destroyAllForUser).toHaveBeenCalledWith(tx.em, user.id, undefined);
      expect(mock(MfaChangeLog).notifyTurnedOff).toHaveBeenCalledWith(tx, user, 'Northwind Partners', TEST_NOW);

      mock(MfaRepository).list.mockResolvedValue([]);
      expect(await sut.turnOffForUser(tx, aUser({ mfaEnabled: false }), 'Northwind Partners')).toBeNull();
      expect(mock(MfaRepository).removeAll).toHaveBeenCalledTimes(1);
    });
  });

  it('confirms it is you with a code, and counts a wrong one like a failed sign-in', async () => {
    const { sut, mock } = setup();
    const user = aUser({ mfaEnabled: true });
    mock(MfaCodes).verifyForMethod.mockResolvedValueOnce({ ok: true, kind: 'sms' });
    await sut.reauthenticate(user, session, { methodId: 'm-1', code: '123456' }, meta);
    expect(mock(ReauthService).succeeded).toHaveBeenCalledWith(user, session, { meta, via: 'sms' });

    mock(MfaCodes).verifyForMethod.mockResolvedValueOnce({ ok: false, reason: 'expired' });
    await expect(sut.reauthenticate(user, session, { methodId: 'm-1', code: '000000' }, meta)).rejects.toThrow(
      'The code has expired. Ask for a new one.',
    );
    expect(mock(ReauthService).failed).toHaveBeenCalledWith(user, session, meta, 'reauth');
  });

  it('shows recovery codes left only while 2FA is on', async () => {
    const { sut, mock } = setup();
    mock(MfaRepository).confirmed.mockResolvedValue([]);
    expect(await sut.overview('u-1')).toEqual({ enabled: false, methods: [], recoveryCodesLeft: 0 });
    expect(mock(MfaRepository).countRecoveryCodesLeft).not.toHaveBeenCalled();

    mock(MfaRepository).confirmed.mockResolvedValue([anMfaMethod({ isDefault: true })]);
    mock(MfaRepository).countRecoveryCodesLeft.mockResolvedValue(7);
    expect(await sut.overview('u-1')).toMatchObject({ enabled: true, recoveryCodesLeft: 7 });
  });
});
