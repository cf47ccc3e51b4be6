import { AuditAction, AuditService } from '@lmp/audit';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { aUser, inlineTransactions } from '@lmp/database/testing';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AuthService } from '../auth.service';
import { MfaChangeLog } from './mfa-change-log';

function setup() {
  const { tx } = inlineTransactions();
  const t = newTestService(MfaChangeLog, [[APP_CONFIG, { publicUrl: 'https://lmp.example.test' } as AppConfig]]);
  return { ...t, tx };
}

describe('MfaChangeLog', () => {
  it("audits a user's own change under their partner, with their customer and address", async () => {
    const { sut, mock, tx } = setup();
    const user = aUser({ customerId: 'c-1' });
    mock(AuthService).partnerIdOf.mockResolvedValue('p-1');

    await sut.record(tx, user, AuditAction.MfaDefaultChanged, { ip: '203.0.113.9' }, { kind: 'sms' });

    expect(mock(AuthService).partnerIdOf).toHaveBeenCalledWith(user, tx.em);
    expect(mock(AuditService).record).toHaveBeenCalledWith(tx.em, {
      action: AuditAction.MfaDefaultChanged,
      actorUserId: user.id,
      targetUserId: user.id,
      partnerId: 'p-1',
      customerId: 'c-1',
      ip: '203.0.113.9',
      detail: { kind: 'sms' },
    });
  });

  it('tells the user by email what changed and when, with a link to their security page', async () => {
    const { sut, mock, tx } = setup();
    const user = aUser({ firstName: '', email: 'ada@example.test' });

    await sut.notify(tx, user, 'Email to a•••@example.test was added');
    await sut.notifyTurnedOff(tx, user, 'Northwind Partners', TEST_NOW);
    await sut.notifyRecoveryCodesLow(tx, user, 1);

    const mails = mock(OutboxWriter).mail.mock.calls.map(([, template, to, props]) => ({ template, to, props }));
    expect(mails).toEqual([
      {
        template: MailTemplate.MfaChanged,
        to: 'ada@example.test',
        props: {
          firstName: 'ada@example.test',
          change: 'Email to a•••@example.test was added',
          changedAt: '2026-03-02 10:00 UTC',
          securityLink: 'https://lmp.example.test/account/security',
        },
      },
      {
        template: MailTemplate.MfaDisabled,
        to: 'ada@example.test',
        props: {
          firstName: 'ada@example.test',
          changedAt: '2026-03-02 10:00 UTC',
          disabledBy: 'Northwind Partners',
          securityLink: 'https://lmp.example.test/account/security',
          forgotPasswordLink: 'https://lmp.example.test/forgot-password',
        },
      },
      {
        template: MailTemplate.RecoveryCodesLow,
        to: 'ada@example.test',
        props: { firstName: 'ada@example.test', left: 1, securityLink: 'https://lmp.example.test/account/security' },
      },
    ]);
  });
});
