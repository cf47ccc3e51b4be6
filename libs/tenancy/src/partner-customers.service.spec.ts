import { AuditAction } from '@lmp/audit';
import { NotFoundProblem } from '@lmp/common';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { APP_CONFIG } from '@lmp/config';
import { TransactionRunner } from '@lmp/database';
import { aCustomer, inlineTransactions } from '@lmp/database/testing';
import { CustomerRepository } from './customer.repository';
import { PartnerAudit } from './partner-audit';
import { PartnerCustomersService } from './partner-customers.service';

const actor = { partnerId: 'p-1', userId: 'staff-1', ip: null };

function setup() {
  const { runner, tx } = inlineTransactions();
  const t = newTestService(PartnerCustomersService, [
    [TransactionRunner, runner],
    [APP_CONFIG, { licenseExpiringDays: 30 }],
  ]);
  t.mock(CustomerRepository).counts.mockResolvedValue({ accounts: new Map(), licenses: new Map() });
  return { ...t, tx };
}

describe('PartnerCustomersService', () => {
  it("creates a customer in the actor's partner, name trimmed and country upper-cased, and audits it", async () => {
    const { sut, mock, tx } = setup();

    const view = await sut.createCustomer(actor, { companyName: '  Acme Ltd ', country: 'gb' });

    const inserted = mock(CustomerRepository).insert.mock.calls[0][1];
    expect(inserted).toMatchObject({ partnerId: 'p-1', companyName: 'Acme Ltd', country: 'GB', status: 'active' });
    expect(inserted.createdAt).toEqual(TEST_NOW);
    expect(view).toMatchObject({ id: inserted.id, companyName: 'Acme Ltd', accountCount: 0, licenseCount: 0 });
    expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
      tx.em,
      actor,
      AuditAction.CustomerCreated,
      { companyName: 'Acme Ltd' },
      { customerId: inserted.id },
    );
  });

  it('audits the fields a change really changes, and writes nothing when none does', async () => {
    const { sut, mock, tx } = setup();
    const customer = aCustomer({ partnerId: 'p-1', companyName: 'Acme Ltd', country: 'GB' });
    mock(CustomerRepository).findOne.mockResolvedValue(customer);

    await sut.updateCustomer(actor, customer.id, { companyName: 'Acme Ltd', country: 'ie', status: 'suspended' });
    expect(mock(CustomerRepository).update).toHaveBeenCalledWith(tx.em, 'p-1', customer.id, {
      companyName: 'Acme Ltd',
      country: 'IE',
      status: 'suspended',
      updatedAt: TEST_NOW,
    });
    expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
      tx.em,
      actor,
      AuditAction.CustomerChanged,
      { country: 'IE', status: 'suspended' },
      { customerId: customer.id },
    );

    mock(CustomerRepository).update.mockClear();
    mock(PartnerAudit).record.mockClear();
    await sut.updateCustomer(actor, customer.id, { companyName: ' Acme Ltd', country: 'gb' });
    expect(mock(CustomerRepository).update).not.toHaveBeenCalled();
    expect(mock(PartnerAudit).record).not.toHaveBeenCalled();
  });

  it("answers 404 for another partner's customer", async () => {
    const { sut, mock } = setup();
    mock(CustomerRepository).findOne.mockResolvedValue(null);

    await expect(sut.getCustomer(actor, 'foreign')).rejects.toBeInstanceOf(NotFoundProblem);
    await expect(sut.updateCustomer(actor, 'foreign', { status: 'suspended' })).rejects.toBeInstanceOf(NotFoundProblem);
    expect(mock(CustomerRepository).findOne).toHaveBeenCalledWith('p-1', 'foreign');
    expect(mock(CustomerRepository).update).not.toHaveBeenCalled();
  });

  it('shows a customer with its account and license counts', async () => {
    const { sut, mock } = setup();
    const customer = aCustomer({ partnerId: 'p-1' });
    mock(CustomerRepository).findOne.mockResolvedValue(customer);
    mock(CustomerRepository).counts.mockResolvedValue({
      accounts: new Map([[customer.id, 3]]),
      licenses: new Map(),
    });

    expect(await sut.getCustomer(actor, customer.id)).toMatchObject({ accountCount: 3, licenseCount: 0 });
  });
});
