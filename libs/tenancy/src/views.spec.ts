import { ActionToken, License, OutboxStatus } from '@lmp/database';
import { ResetRequestRow } from './reset-request.repository';
import { licenseView, resetRequestView, resetStatus } from './views';

const NOW = new Date('2030-05-10T10:00:00.000Z');
const HOUR = 3600_000;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

function token(overrides: Partial<ActionToken> = {}): ActionToken {
  return {
    id: 'reset-1',
    userId: 'account-1',
    purpose: 'password_reset',
    tokenHash: 'f'.repeat(64),
    expiresAt: at(HOUR),
    usedAt: null,
    voidedAt: null,
    requestedBy: 'staff-1',
    sentTo: null,
    outboxId: 'outbox-1',
    createdAt: at(-60_000),
    ...overrides,
  };
}

function row(tokenOverrides: Partial<ActionToken>, outbox: ResetRequestRow['outbox']): ResetRequestRow {
  return {
    token: token(tokenOverrides),
    outbox,
    accountId: 'account-1',
    customerId: 'customer-1',
    requestedByEmail: 'staff@partner.example.com',
  };
}

const outbox = (status: OutboxStatus, lastError: string | null = null): ResetRequestRow['outbox'] => ({
  status,
  lastError,
  sentAt: status === 'sent' ? at(-30_000) : null,
});

describe('resetStatus', () => {
  it('is used once the link was used, whatever else is true', () => {
    const r = row({ usedAt: at(-1000), voidedAt: at(-500), expiresAt: at(-HOUR) }, outbox('dead', 'SMTP 550'));

    expect(resetStatus(r, NOW)).toEqual({ status: 'used', reason: null });
  });

  it('is expired with a reason when a newer request replaced it', () => {
    const r = row({ voidedAt: at(-1000) }, outbox('sent'));

    expect(resetStatus(r, NOW)).toEqual({ status: 'expired', reason: 'replaced by a newer request' });
  });

  it('is expired once the expiry has passed, even if the mail was sent', () => {
    expect(resetStatus(row({ expiresAt: at(-1) }, outbox('sent')), NOW)).toEqual({ status: 'expired', reason: null });
  });

  it('is expired at the exact moment of expiry', () => {
    expect(resetStatus(row({ expiresAt: NOW }, outbox('sent')), NOW).status).toBe('expired');
  });

  it('is sent when the mail was delivered', () => {
    expect(resetStatus(row({}, outbox('sent')), NOW)).toEqual({ status: 'sent', reason: null });
  });

  it('is failed, with the delivery error as reason, when the mail is dead', () => {
    expect(resetStatus(row({}, outbox('dead', 'SMTP 550: mailbox unavailable')), NOW)).toEqual({
      status: 'failed',
      reason: 'SMTP 550: mailbox unavailable',
    });
  });

  it('is queued while a worker holds the message for sending', () => {
    expect(resetStatus(row({}, outbox('sending')), NOW)).toEqual({ status: 'queued', reason: null });
  });

  it('stays queued (not failed) while a failed delivery is still being retried', () => {
    expect(resetStatus(row({}, outbox('failed', 'ECONNRESET: conn')), NOW)).toEqual({
      status: 'queued',
      reason: null,
    });
  });

  it.each<OutboxStatus>(['queued', 'pending'])('is queued while the message is %s', (status) => {
    expect(resetStatus(row({}, outbox(status)), NOW)).toEqual({ status: 'queued', reason: null });
  });

  it('is queued when there is no outbox row', () => {
    expect(resetStatus(row({}, null), NOW)).toEqual({ status: 'queued', reason: null });
  });
});

describe('resetRequestView', () => {
  it('shows the status with the request and delivery times', () => {
    const view = resetRequestView(row({}, outbox('sent')), NOW);

    expect(view).toEqual({
      requestId: 'reset-1',
      accountId: 'account-1',
      customerId: 'customer-1',
      status: 'sent',
      reason: null,
      requestedBy: 'staff-1',
      requestedByEmail: 'staff@partner.example.com',
      requestedAt: at(-60_000).toISOString(),
      expiresAt: at(HOUR).toISOString(),
      sentAt: at(-30_000).toISOString(),
      usedAt: null,
    });
  });

  it('never exposes the token hash', () => {
    expect(JSON.stringify(resetRequestView(row({}, null), NOW))).not.toContain('f'.repeat(64));
  });
});

describe('licenseView', () => {
  function license(overrides: Partial<License> = {}): License {
    return {
      id: 'license-1',
      customerId: 'customer-1',
      product: 'Office Suite',
      seats: 25,
      startsAt: at(-24 * HOUR),
      expiresAt: at(24 * HOUR),
      status: 'active',
      createdAt: at(-48 * HOUR),
      ...overrides,
    };
  }

  it('is active between start and expiry', () => {
    expect(licenseView(license(), NOW, 0).status).toBe('active');
  });

  it('is active from the very moment it starts', () => {
    expect(licenseView(license({ startsAt: NOW }), NOW, 0).status).toBe('active');
  });

  it('is scheduled before it starts', () => {
    expect(licenseView(license({ startsAt: at(1) }), NOW, 0).status).toBe('scheduled');
  });

  it('is expired from the moment of expiry', () => {
    expect(licenseView(license({ expiresAt: NOW }), NOW, 0).status).toBe('expired');
    expect(licenseView(license({ expiresAt: at(-HOUR) }), NOW, 0).status).toBe('expired');
  });

  it("is in grace for the partner's grace period after the expiry, then expired", () => {
    const DAY = 24 * HOUR;
    const inGrace = licenseView(license({ expiresAt: at(-HOUR) }), NOW, 30, 3);
    expect(inGrace.status).toBe('grace');
    expect(inGrace.graceEndsAt).toBe(new Date(NOW.getTime() - HOUR + 3 * DAY).toISOString());
    expect(licenseView(license({ expiresAt: at(-3 * DAY) }), NOW, 30, 3).status).toBe('expired');
    expect(licenseView(license({ expiresAt: at(-HOUR) }), NOW, 30, 0).graceEndsAt).toBeNull();
  });

  it('keeps a status set by hand (suspended) whatever the dates', () => {
    expect(licenseView(license({ status: 'suspended' }), NOW, 30).status).toBe('suspended');
    expect(licenseView(license({ status: 'suspended', expiresAt: at(-HOUR) }), NOW, 30).status).toBe('suspended');
  });

  it('is expiring when it expires within the window, counted to the millisecond', () => {
    const DAY = 24 * HOUR;
    expect(licenseView(license({ expiresAt: at(30 * DAY) }), NOW, 30).status).toBe('expiring');
    expect(licenseView(license({ expiresAt: at(30 * DAY + 1) }), NOW, 30).status).toBe('active');
    expect(licenseView(license({ expiresAt: at(1) }), NOW, 30).status).toBe('expiring');
  });

  it('is never expiring with a window of 0 days', () => {
    expect(licenseView(license({ expiresAt: at(1) }), NOW, 0).status).toBe('active');
  });

  it('is scheduled rather than expiring before it starts, however close the expiry', () => {
    expect(licenseView(license({ startsAt: at(HOUR), expiresAt: at(2 * HOUR) }), NOW, 30).status).toBe('scheduled');
  });

  it('gives dates as ISO strings', () => {
    expect(licenseView(license(), NOW, 0)).toEqual({
      id: 'license-1',
      product: 'Office Suite',
      seats: 25,
      startsAt: at(-24 * HOUR).toISOString(),
      expiresAt: at(24 * HOUR).toISOString(),
      status: 'active',
      graceEndsAt: null,
    });
  });
});
