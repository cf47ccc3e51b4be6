import { INestApplication } from '@nestjs/common';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { DAY_MS, utcDay } from '@lmp/common';
import { AuditEvent, OutboxMessage, User } from '@lmp/database';
import { LicenseScanResult, MAIL_SUBJECTS, MailTemplate } from '@lmp/notifications';
import { LicenseRepository } from '@lmp/tenancy';
import { csvRecords } from './csv';
import { ADMIN_PASSWORD, insertActiveUser, partnerWithAdmin } from './fixtures';
import { Flow } from './flows';
import { signIn } from './http';
import { StackContext } from './stacks';

/** One expiry scan as of a day, run by one process (a worker, or the embedded console). */
export type Scanner = (asOf: Date) => Promise<LicenseScanResult>;

/** A stack with the scanners of its processes: two that share one database on MariaDB. */
export type LicenseFlowContext = StackContext & { scanners: Scanner[] };

/** Each flow works on its own days, far apart, so that one flow's scans never reach another's licenses. */
const baseDay = (flow: number) => new Date(utcDay(new Date()).getTime() + (200 + 100 * flow) * DAY_MS);
const day = (base: Date, offset: number) => new Date(base.getTime() + offset * DAY_MS);
/** Licenses expire at noon UTC of their day. */
const noonOf = (base: Date, offset: number) => new Date(day(base, offset).getTime() + 12 * 3600_000);

interface Tenant {
  admin: TestAgent;
  adminEmail: string;
  partnerId: string;
  customerId: string;
  fullAccess: string;
  readOnly: string;
}

/** A user of the company written as the invitation would leave it once accepted. */
async function companyUser(app: INestApplication, customerId: string, email: string, role: User['role']) {
  await insertActiveUser(app, {
    email,
    firstName: role === 'full_access' ? 'Fran' : 'Rita',
    lastName: 'Customer',
    role,
    customerId,
  });
}

async function tenant(app: INestApplication): Promise<Tenant> {
  const { agent: admin, adminEmail, partnerId } = await partnerWithAdmin(app);
  const code = adminEmail.split('@')[1].split('.')[0];
  const c = await admin
    .post('/api/v1/partner/customers')
    .send({ companyName: `${code} Ltd`, country: 'FR' })
    .expect(201);
  const fullAccess = `fran@${code}-customer.example.com`;
  const readOnly = `rita@${code}-customer.example.com`;
  await companyUser(app, c.body.id, fullAccess, 'full_access');
  await companyUser(app, c.body.id, readOnly, 'read_only');
  return { admin, adminEmail, partnerId, customerId: c.body.id, fullAccess, readOnly };
}

async function license(t: Tenant, product: string, expiresAt: Date): Promise<string> {
  const res = await t.admin
    .post(`/api/v1/partner/customers/${t.customerId}/licenses`)
    .send({
      product,
      seats: 10,
      startsAt: new Date(Date.now() - DAY_MS).toISOString(),
      expiresAt: expiresAt.toISOString(),
    })
    .expect(201);
  return res.body.id as string;
}

/** Mail rows written for one recipient, by template (the outbox is what "sent" means; SMTP follows). */
async function written(app: INestApplication, to: string, template: MailTemplate): Promise<OutboxMessage[]> {
  return app
    .get(DataSource)
    .getRepository(OutboxMessage)
    .find({ where: { recipient: to, template } });
}

/** The audited notices of a partner as [product, days left], sorted (the audit keeps what the mail said). */
async function notices(app: INestApplication, partnerId: string): Promise<Array<[string, number]>> {
  const events = await app
    .get(DataSource)
    .getRepository(AuditEvent)
    .find({ where: { partnerId, action: 'license.expiry_notice' } });
  return events.map((e): [string, number] => [String(e.detail!.product), Number(e.detail!.daysLeft)]).sort();
}

const total = (results: LicenseScanResult[]) => ({
  licenseNotices: results.reduce((n, r) => n + r.licenseNotices, 0),
  partnerDigests: results.reduce((n, r) => n + r.partnerDigests, 0),
});

export const LICENSE_FLOWS: ReadonlyArray<Flow<LicenseFlowContext>> = [
  {
    name: 'scans on consecutive days send each due notice once, a digest a day, and nothing when run again',
    run: async (ctx) => {
      const { app, scanners } = ctx;
      const [scan] = scanners;
      const t = await tenant(app);
      const base = baseDay(0);
      const offsets = [31, 30, 8, 7, 2, 1, 0, -3];
      for (const k of offsets) await license(t, `Product ${k}`, noonOf(base, k));

      // Day 0: every license but the one 31 days away. 8 days away gets the 30-day notice (the
      // 7-day one is not due yet); 2 days away the 7-day one; −3 days the expiry notice, late.
      expect(await scan(day(base, 0))).toEqual({ licenseNotices: 7, partnerDigests: 1 });
      expect(await scan(day(base, 0))).toEqual({ licenseNotices: 0, partnerDigests: 0 });
      expect(await notices(app, t.partnerId)).toEqual(
        [
          ['Product -3', -3],
          ['Product 0', 0],
          ['Product 1', 1],
          ['Product 2', 2],
          ['Product 30', 30],
          ['Product 7', 7],
          ['Product 8', 8],
        ].sort(),
      );
      expect(await written(app, t.fullAccess, MailTemplate.LicenseExpiring)).toHaveLength(5);
      expect(await written(app, t.fullAccess, MailTemplate.LicenseExpired)).toHaveLength(2);
      expect(await written(app, t.readOnly, MailTemplate.LicenseExpiring)).toHaveLength(0);
      expect(await written(app, t.adminEmail, MailTemplate.LicenseDigest)).toHaveLength(1);
      const digest = await ctx.mailbox.waitFor(t.adminEmail, MAIL_SUBJECTS[MailTemplate.LicenseDigest]);
      expect(digest.text).toContain('7 licenses of');
      expect(digest.text).toContain(`/partner/customers/${t.customerId}`);

      // Day 1: 31→30 (30-day), 8→7 (7-day), 2→1 (1-day), 1→0 (expiry); the rest were told already.
      expect(await scan(day(base, 1))).toEqual({ licenseNotices: 4, partnerDigests: 1 });
      expect(await scan(day(base, 1))).toEqual({ licenseNotices: 0, partnerDigests: 0 });
      // Day 2: 2→0 (expiry).
      expect(await scan(day(base, 2))).toEqual({ licenseNotices: 1, partnerDigests: 1 });
      expect(await written(app, t.fullAccess, MailTemplate.LicenseExpiring)).toHaveLength(8);
      expect(await written(app, t.fullAccess, MailTemplate.LicenseExpired)).toHaveLength(4);
      expect(await written(app, t.adminEmail, MailTemplate.LicenseDigest)).toHaveLength(3);
      expect(await notices(app, t.partnerId)).toHaveLength(12);

      // The mail itself arrives: to the customer's Full Access user and to the partner's admin.
      const mail = await ctx.mailbox.waitFor(t.fullAccess, MAIL_SUBJECTS[MailTemplate.LicenseExpiring]);
      expect(mail.text).toContain(`${ctx.publicUrl}/company/licenses`);
    },
  },
  {
    name: 'two scanners at the same moment send no notice and no digest twice',
    run: async ({ app, scanners }) => {
      const t = await tenant(app);
      const base = baseDay(1);
      for (let i = 0; i < 24; i++) await license(t, `Seat pack ${i}`, noonOf(base, 7));
      const runs = await Promise.all([0, 1, 2, 3].map((i) => scanners[i % scanners.length](day(base, 0))));

      expect(total(runs)).toEqual({ licenseNotices: 24, partnerDigests: 1 });
      expect(await written(app, t.fullAccess, MailTemplate.LicenseExpiring)).toHaveLength(24);
      expect(await written(app, t.adminEmail, MailTemplate.LicenseDigest)).toHaveLength(1);
      expect(await notices(app, t.partnerId)).toHaveLength(24);
    },
  },
  {
    name: 'a renewal re-arms the thresholds; suspended licenses get nothing; the grace period is told',
    run: async ({ app, scanners, mailbox }) => {
      const [scan] = scanners;
      const t = await tenant(app);
      await t.admin.patch('/api/v1/partner/settings').send({ licenseGraceDays: 5 }).expect(200);
      const base = baseDay(2);
      const renewed = await license(t, 'Renewed', noonOf(base, 7));
      const suspended = await license(t, 'Suspended', noonOf(base, 7));
      await license(t, 'Ended', noonOf(base, -2));
      await t.admin
        .patch(`/api/v1/partner/customers/${t.customerId}/licenses/${suspended}`)
        .send({ status: 'suspended' })
        .expect(200);

      expect(await scan(day(base, 0))).toEqual({ licenseNotices: 2, partnerDigests: 1 });
      const ended = await mailbox.waitFor(t.fullAccess, MAIL_SUBJECTS[MailTemplate.LicenseExpired]);
      expect(ended.text).toContain('The Ended license');
      expect(ended.text).toContain('grace period: 3 more days');

      // Without the renewal day 1 would send nothing (6 days left, the 7-day notice sent). Renewed
      // to 8 days later, the license is 7 days from its new expiry again.
      await t.admin
        .post(`/api/v1/partner/customers/${t.customerId}/licenses/${renewed}/renew`)
        .send({ expiresAt: noonOf(base, 8).toISOString() })
        .expect(200);
      expect(await scan(day(base, 1))).toEqual({ licenseNotices: 1, partnerDigests: 1 });
      const renewals = await written(app, t.fullAccess, MailTemplate.LicenseRenewed);
      expect(renewals).toHaveLength(1);
      expect(await notices(app, t.partnerId)).toEqual([
        ['Ended', -2],
        ['Renewed', 7],
        ['Renewed', 7],
      ]);
      // Notices off: nothing more, whatever is due.
      await t.admin.patch('/api/v1/partner/settings').send({ licenseNotices: false }).expect(200);
      expect(await scan(day(base, 7))).toEqual({ licenseNotices: 0, partnerDigests: 0 });
    },
  },
  {
    name: 'the company sees its licenses with their status and a summary',
    run: async ({ app }) => {
      const t = await tenant(app);
      await license(t, 'Soon', new Date(Date.now() + 5 * DAY_MS));
      await license(t, 'Later', new Date(Date.now() + 200 * DAY_MS));
      const customer = await signIn(app, t.readOnly, ADMIN_PASSWORD);
      const res = await customer.get('/api/v1/company/licenses').expect(200);
      expect(res.body.items.map((l: { product: string; status: string }) => [l.product, l.status])).toEqual([
        ['Soon', 'expiring'],
        ['Later', 'active'],
      ]);
      expect(res.body.summary).toMatchObject({ active: 2, expiring: 1, nextExpiry: { product: 'Soon' } });
      await customer.get('/api/v1/partner/licenses').expect(403);
    },
  },
  {
    name: "the partner's licenses export reads keyset batches that add up to the list, in every order",
    run: async ({ app }) => {
      const t = await tenant(app);
      const other = await t.admin
        .post('/api/v1/partner/customers')
        .send({ companyName: 'Another Ltd', country: 'DE' })
        .expect(201);
      const base = baseDay(3);
      // Ties on every sort key: the same expiry, seats, product and company, so the id decides.
      for (const [customerId, product, seats, offset] of [
        [t.customerId, 'Tied', 10, 5],
        [t.customerId, 'Tied', 10, 5],
        [other.body.id, 'Tied', 3, 5],
        [other.body.id, 'Alone', 10, 9],
        [t.customerId, 'Alone', 3, 9],
        [other.body.id, 'Tied', 10, 1],
        [t.customerId, 'Third', 7, 5],
      ] as const) {
        await t.admin
          .post(`/api/v1/partner/customers/${customerId}/licenses`)
          .send({ product, seats, startsAt: new Date().toISOString(), expiresAt: noonOf(base, offset).toISOString() })
          .expect(201);
      }
      const repo = app.get(LicenseRepository);
      const terms = { now: new Date(), expiringDays: 30, graceDays: 0 };
      const orders = [
        ['expiresAt', 'l.expires_at', 'ASC'],
        ['-expiresAt', 'l.expires_at', 'DESC'],
        ['companyName', 'c.company_name', 'ASC'],
        ['-seats', 'l.seats', 'DESC'],
        ['product', 'l.product', 'ASC'],
      ] as const;
      for (const [sort, field, direction] of orders) {
        const list = await t.admin.get(`/api/v1/partner/licenses?pageSize=100&sort=${sort}`).expect(200);
        const expected = list.body.items.map((l: { id: string }) => l.id);
        expect(expected).toHaveLength(7);
        const seen: string[] = [];
        for await (const batch of repo.batchesOfPartner(t.partnerId, {}, terms, { field, direction }, 2)) {
          expect(batch.length).toBeLessThanOrEqual(2);
          seen.push(...batch.map((l) => l.id));
        }
        expect([sort, seen]).toEqual([sort, expected]);
        const csv = await t.admin.get(`/api/v1/partner/licenses.csv?sort=${sort}`).expect(200);
        expect([sort, csvRecords(csv.text).rows.map((r) => r.id)]).toEqual([sort, expected]);
      }
    },
  },
];
