import { AuditAction } from '@lmp/audit';
import { NotFoundProblem, ValidationProblem } from '@lmp/common';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { TransactionRunner } from '@lmp/database';
import { aCustomer, aLicense, inlineTransactions } from '@lmp/database/testing';
import { CustomerRepository } from './customer.repository';
import { LicenseRepository } from './license.repository';
import { PartnerAudit } from './partner-audit';
import { PartnerLicensesService } from './partner-licenses.service';

const actor = { partnerId: 'p-1', userId: 'staff-1', ip: null };
const DAY = 86_400_000;
const daysFromNow = (n: number) => new Date(TEST_NOW.getTime() + n * DAY);

function setup() {
  const { runner, tx } = inlineTransactions();
  const config = { licenseExpiringDays: 30 } as AppConfig;
  const t = newTestService(PartnerLicensesService, [
    [TransactionRunner, runner],
    [APP_CONFIG, config],
  ]);
  const customer = aCustomer({ partnerId: 'p-1' });
  t.mock(CustomerRepository).findOne.mockResolvedValue(customer);
  return { ...t, tx, customer };
}

describe('PartnerLicensesService', () => {
  it('derives each license status from its dates, the clock and the expiring window', async () => {
    const { sut, mock, customer } = setup();
    mock(LicenseRepository).list.mockResolvedValue([
      aLicense({ startsAt: daysFromNow(-10), expiresAt: daysFromNow(100) }),
      aLicense({ startsAt: daysFromNow(-10), expiresAt: daysFromNow(20) }),
      aLicense({ startsAt: daysFromNow(-100), expiresAt: daysFromNow(-1) }),
      aLicense({ startsAt: daysFromNow(5), expiresAt: daysFromNow(100) }),
      aLicense({ startsAt: daysFromNow(-10), expiresAt: daysFromNow(100), status: 'suspended' }),
    ]);

    const { items } = await sut.listLicenses(actor, customer.id);

    expect(items.map((l) => l.status)).toEqual(['active', 'expiring', 'expired', 'scheduled', 'suspended']);
  });

  it('refuses a license that ends before it starts, and writes nothing', async () => {
    const { sut, mock, customer } = setup();

    await expect(
      sut.createLicense(actor, customer.id, {
        product: 'Studio',
        seats: 5,
        startsAt: daysFromNow(10),
        expiresAt: daysFromNow(10),
      }),
    ).rejects.toBeInstanceOf(ValidationProblem);
    expect(mock(LicenseRepository).insert).not.toHaveBeenCalled();
  });

  it('checks the dates as they will be after a partial change', async () => {
    const { sut, mock, customer } = setup();
    const license = aLicense({ customerId: customer.id, startsAt: daysFromNow(0), expiresAt: daysFromNow(300) });
    mock(LicenseRepository).findOne.mockResolvedValue(license);

    await expect(
      sut.updateLicense(actor, customer.id, license.id, { expiresAt: daysFromNow(-1) }),
    ).rejects.toBeInstanceOf(ValidationProblem);
    expect(mock(LicenseRepository).update).not.toHaveBeenCalled();
  });

  it('audits the changed fields with the license id, dates as ISO text', async () => {
    const { sut, mock, tx, customer } = setup();
    const license = aLicense({ customerId: customer.id, product: 'Studio', seats: 5 });
    mock(LicenseRepository).findOne.mockResolvedValue(license);
    const expiresAt = new Date('2028-01-01T00:00:00.000Z');

    await sut.updateLicense(actor, customer.id, license.id, { product: ' Studio ', seats: 8, expiresAt });

    expect(mock(LicenseRepository).update).toHaveBeenCalledWith(tx.em, 'p-1', customer.id, license.id, {
      product: 'Studio',
      seats: 8,
      expiresAt,
    });
    expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
      tx.em,
      actor,
      AuditAction.LicenseChanged,
      { licenseId: license.id, seats: 8, expiresAt: '2028-01-01T00:00:00.000Z' },
      { customerId: customer.id },
    );
  });

  it("answers 404 for a license or customer outside the actor's partner", async () => {
    const { sut, mock, customer } = setup();
    mock(LicenseRepository).findOne.mockResolvedValue(null);
    await expect(sut.getLicense(actor, customer.id, 'foreign')).rejects.toBeInstanceOf(NotFoundProblem);
    expect(mock(LicenseRepository).findOne).toHaveBeenCalledWith('p-1', customer.id, 'foreign');

    mock(CustomerRepository).findOne.mockResolvedValue(null);
    await expect(sut.listLicenses(actor, 'foreign')).rejects.toBeInstanceOf(NotFoundProblem);
    expect(mock(LicenseRepository).list).not.toHaveBeenCalled();
  });
});
