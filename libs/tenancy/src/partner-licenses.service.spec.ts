import { AuditAction } from '@lmp/audit';
import { NotFoundProblem, ValidationProblem } from '@lmp/common';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { TransactionRunner } from '@lmp/database';
import { aCustomer, aLicense, aUser, inlineTransactions } from '@lmp/database/testing';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { CompanyUserRepository } from './company-user.repository';
import { CustomerRepository } from './customer.repository';
import { LicenseRepository } from './license.repository';
import { PartnerAudit } from './partner-audit';
import { PartnerLicensesService } from './partner-licenses.service';
import { PartnerRepository } from './partner.repository';

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

  describe('renewal', () => {
    function renewable(expiresAt: Date) {
      const t = setup();
      const license = aLicense({ customerId: t.customer.id, startsAt: daysFromNow(-300), expiresAt, seats: 10 });
      t.mock(LicenseRepository).findOne.mockResolvedValue(license);
      t.mock(CustomerRepository).findOne.mockResolvedValue(t.customer);
      t.mock(PartnerRepository).nameOf.mockResolvedValue('Northwind');
      t.mock(CompanyUserRepository).fullAccessUsers.mockResolvedValue([
        aUser({ email: 'ada@contoso.example', firstName: 'Ada', customerId: t.customer.id, role: 'full_access' }),
      ]);
      return { ...t, license };
    }

    it('adds the period to the old expiry, so an early renewal loses no paid time', async () => {
      const { sut, mock, customer, license, tx } = renewable(daysFromNow(10));

      await sut.renewLicense(actor, customer.id, license.id, { period: 'P1Y', seats: 12 });

      const expected = new Date(daysFromNow(10));
      expected.setUTCFullYear(expected.getUTCFullYear() + 1);
      expect(mock(LicenseRepository).update).toHaveBeenCalledWith(tx.em, 'p-1', customer.id, license.id, {
        expiresAt: expected,
        seats: 12,
      });
      expect(mock(PartnerAudit).record).toHaveBeenCalledWith(
        tx.em,
        actor,
        AuditAction.LicenseRenewed,
        expect.objectContaining({ licenseId: license.id, expiresAt: expected.toISOString(), seats: 12, period: 'P1Y' }),
        { customerId: customer.id },
      );
      expect(mock(OutboxWriter).mail).toHaveBeenCalledWith(
        tx,
        MailTemplate.LicenseRenewed,
        'ada@contoso.example',
        expect.objectContaining({ firstName: 'Ada', partnerName: 'Northwind', seats: 12 }),
      );
    });

    it('counts from today when the license has already expired, so it is not backdated', async () => {
      const { sut, mock, customer, license, tx } = renewable(daysFromNow(-20));

      await sut.renewLicense(actor, customer.id, license.id, { period: 'P30D' });

      expect(mock(LicenseRepository).update).toHaveBeenCalledWith(tx.em, 'p-1', customer.id, license.id, {
        expiresAt: daysFromNow(30),
        seats: 10,
      });
    });

    it.each([
      [{}],
      [{ period: 'P1Y', expiresAt: daysFromNow(400) }],
      [{ period: 'one year' }],
      [{ expiresAt: daysFromNow(5) }],
    ])('refuses %j and changes nothing', async (input) => {
      const { sut, mock, customer, license } = renewable(daysFromNow(10));

      await expect(sut.renewLicense(actor, customer.id, license.id, input)).rejects.toBeInstanceOf(ValidationProblem);
      expect(mock(LicenseRepository).update).not.toHaveBeenCalled();
      expect(mock(OutboxWriter).mail).not.toHaveBeenCalled();
    });
  });
});
