import { AuditAction } from '@lmp/audit';
import { ConflictProblem } from '@lmp/common';
import { newTestService } from '@lmp/common/testing';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { ActionToken, Partner, TransactionRunner, User } from '@lmp/database';
import { aCustomer, aUser, inlineTransactions } from '@lmp/database/testing';
import { LinkMailLimit, MfaService, TokenService } from '@lmp/identity';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { AccountRepository } from './account.repository';
import { CustomerRepository } from './customer.repository';
import { PartnerAccountRecoveryService } from './partner-account-recovery.service';
import { PartnerAudit } from './partner-audit';
import { PartnerRepository } from './partner.repository';

const actor = { partnerId: 'p-1', userId: 'staff-1', ip: null };

function setup(account: User) {
  const { runner, tx } = inlineTransactions();
  const t = newTestService(PartnerAccountRecoveryService, [
    [TransactionRunner, runner],
    [APP_CONFIG, { publicUrl: 'https://lmp.example.test' } as AppConfig],
  ]);
  const customer = aCustomer({ id: account.customerId!, partnerId: 'p-1', companyName: 'Acme Ltd' });
  t.mock(CustomerRepository).findOne.mockResolvedValue(customer);
  t.mock(AccountRepository).findOne.mockResolvedValue(account);
  t.mock(PartnerRepository).nameOf.mockResolvedValue('Northwind Partners');
  return { ...t, tx, customer };
}

describe('PartnerAccountRecoveryService', () => {
  it("mails a reset link naming the partner, after counting the address's link mails, and audits it", async () => {
    const account = aUser({ customerId: 'c-1', firstName: 'Ada' });
    const { sut, mock, tx } = setup(account);
    mock(TokenService).issue.mockResolvedValue({ raw: 'raw-token', token: { id: 'token-1' } as ActionToken });

    expect(await sut.triggerPasswordReset(actor, 'c-1', account.id)).toEqual({
      requestId: 'token-1',
      status: 'queued',
    });

    expect(mock(LinkMailLimit).require).toHaveBeenCalledWith(account.email);
    const [, template, to, props] = mock(OutboxWriter).mail.mock.calls[0];
    expect([template, to]).toEqual([MailTemplate.PasswordReset, account.email]);
    expect(props).toMatchObject({
      firstName: 'Ada',
      link: 'https://lmp.example.test/reset-password?token=raw-token',
      partnerName: 'Northwind Partners',
    });
    expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
      tx.em,
      actor,
      AuditAction.PasswordResetRequested,
      { requestId: 'token-1' },
      { customerId: 'c-1', targetUserId: account.id },
    );
  });

  it('refuses a reset or Full Access for a disabled account, and sends nothing', async () => {
    const account = aUser({ customerId: 'c-1', status: 'disabled', role: 'read_only' });
    const { sut, mock } = setup(account);

    await expect(sut.triggerPasswordReset(actor, 'c-1', account.id)).rejects.toBeInstanceOf(ConflictProblem);
    await expect(sut.promoteAccount(actor, 'c-1', account.id)).rejects.toBeInstanceOf(ConflictProblem);

    expect(mock(LinkMailLimit).require).not.toHaveBeenCalled();
    expect(mock(OutboxWriter).mail).not.toHaveBeenCalled();
    expect(mock(AccountRepository).update).not.toHaveBeenCalled();
  });

  it('gives Full Access and tells every enabled Full Access user of the company, the promoted one too', async () => {
    const account = aUser({ customerId: 'c-1', role: 'read_only', firstName: 'Ada', lastName: 'Lovelace' });
    const { sut, mock, tx, customer } = setup(account);
    // The notice reads the partner and the company in the transaction.
    tx.em.findOneByOrFail.mockImplementation(async (entity: unknown) =>
      entity === Partner ? ({ id: 'p-1', name: 'Northwind Partners' } as Partner) : customer,
    );
    tx.em.findBy.mockResolvedValue([
      aUser({ email: 'boss@example.test', role: 'full_access' }),
      aUser({ email: 'gone@example.test', role: 'full_access', status: 'disabled' }),
      { ...account, role: 'full_access' },
    ]);

    await sut.promoteAccount(actor, 'c-1', account.id);

    expect(mock(AccountRepository).update).toHaveBeenCalledWith(
      tx.em,
      'p-1',
      'c-1',
      account.id,
      expect.objectContaining({ role: 'full_access' }),
    );
    const mails = mock(OutboxWriter).mail.mock.calls;
    expect(mails.map(([, template, to]) => [template, to])).toEqual([
      [MailTemplate.RolePromoted, 'boss@example.test'],
      [MailTemplate.RolePromoted, account.email],
    ]);
    expect(mails[0][3]).toMatchObject({ promotedName: 'Ada Lovelace', companyName: 'Acme Ltd' });
    expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
      tx.em,
      actor,
      AuditAction.AccountPromoted,
      { from: 'read_only', to: 'full_access' },
      { customerId: 'c-1', targetUserId: account.id },
    );
  });

  it('changes nothing for an account that has Full Access already', async () => {
    const account = aUser({ customerId: 'c-1', role: 'full_access' });
    const { sut, mock } = setup(account);

    await sut.promoteAccount(actor, 'c-1', account.id);

    expect(mock(AccountRepository).update).not.toHaveBeenCalled();
    expect(mock(PartnerAudit).record).not.toHaveBeenCalled();
  });

  it("turns an account's 2FA off in the partner's name and audits how many methods went", async () => {
    const account = aUser({ customerId: 'c-1', mfaEnabled: true });
    const { sut, mock, tx } = setup(account);
    mock(MfaService).turnOffForUser.mockResolvedValue(2);

    await sut.resetAccountMfa(actor, 'c-1', account.id);

    expect(mock(MfaService).turnOffForUser).toHaveBeenCalledWith(tx, account, 'Northwind Partners');
    expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
      tx.em,
      actor,
      AuditAction.MfaResetByPartner,
      { methods: 2 },
      { customerId: 'c-1', targetUserId: account.id },
    );
  });

  it('answers 409 when 2FA is not on, and audits nothing', async () => {
    const account = aUser({ customerId: 'c-1' });
    const { sut, mock } = setup(account);
    mock(MfaService).turnOffForUser.mockResolvedValue(null);

    await expect(sut.resetAccountMfa(actor, 'c-1', account.id)).rejects.toBeInstanceOf(ConflictProblem);
    expect(mock(PartnerAudit).record).not.toHaveBeenCalled();
  });
});
