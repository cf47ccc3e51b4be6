import { AuditAction, AuditService } from '@lmp/audit';
import { newTestService } from '@lmp/common/testing';
import { inlineTransactions } from '@lmp/database/testing';
import { changedFields, defined, PartnerAudit } from './partner-audit';

const actor = { partnerId: 'p-1', userId: 'u-1', ip: '203.0.113.9' };

describe('PartnerAudit', () => {
  it('names the API token, and no user, when a token acted', async () => {
    const { sut, mock } = newTestService(PartnerAudit);
    const { tx } = inlineTransactions();
    const byToken = { ...actor, token: { id: 't-1', name: 'Billing sync' } };

    await sut.record(tx.em, byToken, AuditAction.CustomerCreated, { companyName: 'Acme' }, { customerId: 'c-1' });

    expect(mock(AuditService).record).toHaveBeenCalledWith(tx.em, {
      action: AuditAction.CustomerCreated,
      actorUserId: null,
      actorTokenId: 't-1',
      partnerId: 'p-1',
      customerId: 'c-1',
      targetUserId: undefined,
      ip: '203.0.113.9',
      detail: { companyName: 'Acme' },
    });
  });

  it('records every partner event with the same envelope: who, which partner, from where', async () => {
    const { sut, mock } = newTestService(PartnerAudit);
    const { tx } = inlineTransactions();

    await sut.record(
      tx.em,
      actor,
      AuditAction.AccountChanged,
      { role: 'read_only' },
      {
        customerId: 'c-1',
        targetUserId: 'u-2',
      },
    );
    await sut.record(tx.em, actor, AuditAction.PartnerSettingsChanged, { requireStaffMfa: true });

    expect(mock(AuditService).record.mock.calls).toEqual([
      [
        tx.em,
        {
          action: AuditAction.AccountChanged,
          actorUserId: 'u-1',
          actorTokenId: null,
          partnerId: 'p-1',
          customerId: 'c-1',
          targetUserId: 'u-2',
          ip: '203.0.113.9',
          detail: { role: 'read_only' },
        },
      ],
      [
        tx.em,
        {
          action: AuditAction.PartnerSettingsChanged,
          actorUserId: 'u-1',
          actorTokenId: null,
          partnerId: 'p-1',
          customerId: undefined,
          targetUserId: undefined,
          ip: '203.0.113.9',
          detail: { requireStaffMfa: true },
        },
      ],
    ]);
  });
});

describe('audit diffs', () => {
  const current = { name: 'Acme', seats: 5, expiresAt: new Date('2027-01-01T00:00:00Z'), status: 'active' };

  it('names only the fields whose value changes', () => {
    expect(changedFields(current, { name: 'Acme', seats: 7, status: 'active' })).toEqual({ seats: 7 });
  });

  it('compares dates by their moment and writes a changed one as ISO text', () => {
    expect(changedFields(current, { expiresAt: new Date('2027-01-01T00:00:00Z') })).toEqual({});
    expect(changedFields(current, { expiresAt: new Date('2028-06-30T00:00:00Z') })).toEqual({
      expiresAt: '2028-06-30T00:00:00.000Z',
    });
  });

  it('ignores fields a partial update leaves out', () => {
    const next = defined({ name: undefined, seats: 9, status: undefined });
    expect(next).toEqual({ seats: 9 });
    expect(changedFields(current, next)).toEqual({ seats: 9 });
  });
});
