import { AuditAction } from '@lmp/audit';
import { NotFoundProblem } from '@lmp/common';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { aCustomer, aUser, inlineTransactions } from '@lmp/database/testing';
import { LinkMailLimit, SessionService, TokenService, UserRepository } from '@lmp/identity';
import { TransactionRunner } from '@lmp/database';
import { AccountInviter } from './account-inviter';
import { AccountRepository } from './account.repository';
import { CustomerRepository } from './customer.repository';
import { PartnerAudit } from './partner-audit';
import { accountStatusFor, PartnerAccountsService } from './partner-accounts.service';
import { PartnerRepository } from './partner.repository';
import { ResetRequestRepository } from './reset-request.repository';

const actor = { partnerId: 'p-1', userId: 'staff-1', ip: '203.0.113.9' };

function setup() {
  const { runner, tx } = inlineTransactions();
  const t = newTestService(PartnerAccountsService, [[TransactionRunner, runner]]);
  const customer = aCustomer({ partnerId: actor.partnerId });
  t.mock(CustomerRepository).findOne.mockResolvedValue(customer);
  t.mock(ResetRequestRepository).listForAccount.mockResolvedValue([]);
  return { ...t, tx, customer };
}

describe('PartnerAccountsService', () => {
  describe('account status derivation', () => {
    it('disables as asked, and enables to active, or to invited while no password was ever set', () => {
      expect(accountStatusFor(aUser({ passwordHash: 'h' }), 'disabled')).toBe('disabled');
      expect(accountStatusFor(aUser({ passwordHash: 'h', status: 'disabled' }), 'active')).toBe('active');
      expect(accountStatusFor(aUser({ passwordHash: null, status: 'disabled' }), 'active')).toBe('invited');
      expect(accountStatusFor(aUser(), undefined)).toBeUndefined();
    });

    it('stores invited, not active, when a never-activated account is enabled again', async () => {
      const { sut, mock, customer } = setup();
      const account = aUser({ customerId: customer.id, passwordHash: null, status: 'disabled' });
      mock(AccountRepository).findOne.mockResolvedValue(account);

      await sut.updateAccount(actor, customer.id, account.id, { status: 'active' });

      expect(mock(AccountRepository).update).toHaveBeenCalledWith(
        expect.anything(),
        actor.partnerId,
        customer.id,
        account.id,
        { status: 'invited', updatedAt: TEST_NOW },
      );
      expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
        expect.anything(),
        actor,
        AuditAction.AccountChanged,
        { status: 'invited' },
        { customerId: customer.id, targetUserId: account.id },
      );
    });
  });

  it('signs a disabled account out everywhere and voids its open links', async () => {
    const { sut, mock, tx, customer } = setup();
    const account = aUser({ customerId: customer.id });
    mock(AccountRepository).findOne.mockResolvedValue(account);

    await sut.updateAccount(actor, customer.id, account.id, { status: 'disabled' });

    expect(mock(SessionService).destroyAllForUser).toHaveBeenCalledWith(tx.em, account.id);
    expect(mock(TokenService).voidOpen).toHaveBeenCalledWith(tx.em, account.id);
  });

  it('audits only the fields that change, and writes nothing when none does', async () => {
    const { sut, mock, customer } = setup();
    const account = aUser({ customerId: customer.id, firstName: 'Ada', lastName: 'Lovelace', role: 'read_only' });
    mock(AccountRepository).findOne.mockResolvedValue(account);

    await sut.updateAccount(actor, customer.id, account.id, {
      firstName: ' Ada ',
      lastName: 'Byron',
      role: 'read_only',
    });
    expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
      expect.anything(),
      actor,
      AuditAction.AccountChanged,
      { lastName: 'Byron' },
      { customerId: customer.id, targetUserId: account.id },
    );
    expect(mock(SessionService).destroyAllForUser).not.toHaveBeenCalled();

    mock(PartnerAudit).record.mockClear();
    mock(AccountRepository).update.mockClear();
    await sut.updateAccount(actor, customer.id, account.id, { firstName: 'Ada', status: 'active' });
    expect(mock(AccountRepository).update).not.toHaveBeenCalled();
    expect(mock(PartnerAudit).record).not.toHaveBeenCalled();
  });

  it('answers 404 for an account the partner does not own', async () => {
    const { sut, mock, customer } = setup();
    mock(AccountRepository).findOne.mockResolvedValue(null);

    await expect(sut.updateAccount(actor, customer.id, 'elsewhere', { firstName: 'X' })).rejects.toBeInstanceOf(
      NotFoundProblem,
    );
    expect(mock(AccountRepository).update).not.toHaveBeenCalled();
  });

  it('invites a new account and audits its creation and its invitation', async () => {
    const { sut, mock, tx, customer } = setup();
    const user = aUser({ customerId: customer.id, passwordHash: null, status: 'invited', role: 'read_only' });
    mock(AccountInviter).prepare.mockResolvedValue({ email: user.email, owner: null });
    mock(AccountInviter).newUser.mockReturnValue(user);
    mock(AccountInviter).invite.mockResolvedValue('request-1');
    mock(PartnerRepository).nameOf.mockResolvedValue('Northwind Partners');

    const view = await sut.createAccount(actor, customer.id, {
      email: user.email,
      firstName: 'Ada',
      lastName: 'Lovelace',
      role: 'read_only',
    });

    expect(view).toMatchObject({ id: user.id, status: 'invited' });
    expect(mock(LinkMailLimit).require).toHaveBeenCalledWith(user.email);
    expect(mock(UserRepository).insert).toHaveBeenCalledWith(tx.em, user);
    expect(mock(AccountInviter).invite).toHaveBeenCalledWith(tx, {
      user,
      companyName: customer.companyName,
      partnerName: 'Northwind Partners',
      requestedBy: actor.userId,
    });
    const about = { customerId: customer.id, targetUserId: user.id };
    expect(mock(PartnerAudit).record.mock.calls).toEqual([
      [tx.em, actor, AuditAction.AccountCreated, { role: 'read_only' }, about],
      [tx.em, actor, AuditAction.InvitationSent, { requestId: 'request-1' }, about],
    ]);
  });

  it("answers an address of another tenant as a fresh one, and tells that account's owner instead", async () => {
    const { sut, mock, tx, customer } = setup();
    const owner = aUser({ email: 'taken@example.test' });
    mock(AccountInviter).prepare.mockResolvedValue({ email: owner.email, owner });
    mock(AccountInviter).newUser.mockReturnValue(aUser({ email: owner.email, passwordHash: null, status: 'invited' }));

    await sut.createAccount(actor, customer.id, {
      email: owner.email,
      firstName: '',
      lastName: '',
      role: 'read_only',
    });

    expect(mock(AccountInviter).notifyOwner).toHaveBeenCalledWith(
      tx,
      owner,
      { actorUserId: actor.userId, customerId: customer.id, scope: { partnerId: actor.partnerId } },
      actor.ip,
    );
    expect(mock(UserRepository).insert).not.toHaveBeenCalled();
    expect(mock(AccountInviter).invite).not.toHaveBeenCalled();
  });
});
