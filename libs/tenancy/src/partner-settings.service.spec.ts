import { AuditAction, AuditService } from '@lmp/audit';
import { newTestService } from '@lmp/common/testing';
import { Partner, TransactionRunner } from '@lmp/database';
import { inlineTransactions } from '@lmp/database/testing';
import { CustomerRepository } from './customer.repository';
import { PartnerAudit } from './partner-audit';
import { PartnerSettingsService } from './partner-settings.service';
import { PartnerRepository } from './partner.repository';

const NOTICES = { licenseNotices: true, licenseNoticeDays: [30, 7, 1], licenseGraceDays: 0 };
const actor = { partnerId: 'p-1', userId: 'staff-1', ip: '198.51.100.4' };

function setup(requireStaffMfa: boolean) {
  const { runner, tx } = inlineTransactions();
  const t = newTestService(PartnerSettingsService, [[TransactionRunner, runner]]);
  const partner: Partner = {
    id: 'p-1',
    code: 'northwind',
    name: 'Northwind Partners',
    status: 'active',
    requireStaffMfa,
    licenseNotices: true,
    licenseNoticeDays: '30,7,1',
    licenseGraceDays: 0,
    createdAt: new Date('2026-01-01T00:00:00Z'),
  } as Partner;
  t.mock(PartnerRepository).findOne.mockResolvedValue(partner);
  return { ...t, tx };
}

describe('PartnerSettingsService', () => {
  it("turns the staff 2FA policy on, in the partner's own row, and audits it", async () => {
    const { sut, mock, tx } = setup(false);

    expect(await sut.updateSettings(actor, { requireStaffMfa: true })).toEqual({ ...NOTICES, requireStaffMfa: true });

    expect(mock(PartnerRepository).update).toHaveBeenCalledWith(tx.em, 'p-1', {
      requireStaffMfa: true,
      licenseNotices: true,
      licenseNoticeDays: '30,7,1',
      licenseGraceDays: 0,
    });
    expect(mock(PartnerAudit).record).toHaveBeenCalledWith(tx.em, actor, AuditAction.PartnerSettingsChanged, {
      requireStaffMfa: true,
    });
  });

  it('writes and audits nothing when the policy already is as asked, or nothing is asked', async () => {
    const { sut, mock } = setup(true);

    expect(await sut.updateSettings(actor, { requireStaffMfa: true })).toEqual({ ...NOTICES, requireStaffMfa: true });
    expect(await sut.updateSettings(actor, {})).toEqual({ ...NOTICES, requireStaffMfa: true });
    expect(await sut.updateSettings(actor, { licenseNoticeDays: [1, 7, 30] })).toEqual({
      ...NOTICES,
      requireStaffMfa: true,
    });

    expect(mock(PartnerRepository).update).not.toHaveBeenCalled();
    expect(mock(PartnerAudit).record).not.toHaveBeenCalled();
  });

  it('changes the expiry notice settings, sorted, and audits what changed', async () => {
    const { sut, mock, tx } = setup(false);

    const next = await sut.updateSettings(actor, { licenseNoticeDays: [14, 60, 14], licenseGraceDays: 10 });

    expect(next).toEqual({
      requireStaffMfa: false,
      licenseNotices: true,
      licenseNoticeDays: [60, 14],
      licenseGraceDays: 10,
    });
    expect(mock(PartnerAudit).record).toHaveBeenCalledWith(tx.em, actor, AuditAction.PartnerSettingsChanged, {
      licenseNoticeDays: '60,14',
      licenseGraceDays: 10,
    });
  });

  it.each([
    [{ licenseNoticeDays: [0] }, 'licenseNoticeDays'],
    [{ licenseNoticeDays: [1, 2, 3, 4, 5, 6, 7] }, 'licenseNoticeDays'],
    [{ licenseGraceDays: 91 }, 'licenseGraceDays'],
    [{ licenseGraceDays: 1.5 }, 'licenseGraceDays'],
  ])('refuses %j and writes nothing', async (changes, field) => {
    const { sut, mock } = setup(false);

    await expect(sut.updateSettings(actor, changes)).rejects.toMatchObject({
      problem: { errors: [expect.objectContaining({ field })] },
    });
    expect(mock(PartnerRepository).update).not.toHaveBeenCalled();
  });

  it("lists the partner's own audit events with the names of the companies they concern", async () => {
    const { sut, mock } = setup(false);
    const at = new Date('2026-02-01T12:00:00Z');
    const base = {
      at,
      actorUserId: 'staff-1',
      actorEmail: 'staff@example.test',
      actorTokenId: null,
      actorTokenName: null,
      partnerId: 'p-1',
      ip: null,
    };
    mock(AuditService).listForPartner.mockResolvedValue({
      items: [
        {
          ...base,
          id: 'e1',
          action: 'customer.created',
          customerId: 'c-1',
          targetUserId: null,
          targetEmail: null,
          detail: null,
        },
        {
          ...base,
          id: 'e2',
          action: 'partner.settings_changed',
          customerId: null,
          targetUserId: null,
          targetEmail: null,
          detail: { requireStaffMfa: true },
        },
      ],
      total: 2,
      page: 1,
      pageSize: 25,
    });
    mock(CustomerRepository).namesOf.mockResolvedValue(new Map([['c-1', 'Acme Ltd']]));

    const page = await sut.listAudit(actor, {}, { page: 1, pageSize: 25 });

    expect(mock(AuditService).listForPartner).toHaveBeenCalledWith('p-1', {}, { page: 1, pageSize: 25 });
    expect(mock(CustomerRepository).namesOf).toHaveBeenCalledWith('p-1', ['c-1']);
    expect(page.items.map((e) => [e.id, e.at, e.customerName])).toEqual([
      ['e1', '2026-02-01T12:00:00.000Z', 'Acme Ltd'],
      ['e2', '2026-02-01T12:00:00.000Z', null],
    ]);
  });
});
