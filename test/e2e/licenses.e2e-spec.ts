import { DAY_MS } from '@lmp/common';
import { LicenseNoticesService } from '@lmp/notifications';
import { partnerWithAdmin } from '../support/fixtures';
import { runFlows } from '../support/flows';
import { LICENSE_FLOWS } from '../support/license-flow';
import { formToken } from '../support/partner-console';
import { embeddedStack } from '../support/stacks';

/** The license flows on the embedded default: one process, so its one scanner runs twice at once. */
describe('licenses and expiry notices (embedded mode)', () => {
  const running = runFlows(LICENSE_FLOWS, async () => {
    const started = await embeddedStack();
    const service = started.sut.app.get(LicenseNoticesService);
    return { ...started, ctx: { ...started.ctx, scanners: [(asOf: Date) => service.scan(asOf)] } };
  });

  async function partnerWithLicenses() {
    const { app } = running().ctx;
    const p = await partnerWithAdmin(app);
    const c = await p.agent
      .post('/api/v1/partner/customers')
      .send({ companyName: 'Badge Co', country: 'DE' })
      .expect(201);
    const add = (product: string, days: number) =>
      p.agent
        .post(`/api/v1/partner/customers/${c.body.id}/licenses`)
        .send({
          product,
          seats: 3,
          startsAt: new Date(Date.now() - DAY_MS).toISOString(),
          expiresAt: new Date(Date.now() + days * DAY_MS).toISOString(),
        })
        .expect(201);
    const soon = await add('Soon Suite', 10);
    const later = await add('Later Suite', 300);
    return { ...p, customerId: c.body.id as string, soonId: soon.body.id as string, laterId: later.body.id as string };
  }

  it("lists the partner's licenses across customers, filtered and sorted by expiry, and 404s another partner's", async () => {
    const a = await partnerWithLicenses();
    const b = await partnerWithLicenses();
    const all = await a.agent.get('/api/v1/partner/licenses').expect(200);
    expect(all.body.items.map((l: { product: string }) => l.product)).toEqual(['Soon Suite', 'Later Suite']);
    expect(all.body.total).toBe(2);
    const latest = await a.agent.get('/api/v1/partner/licenses?sort=-expiresAt').expect(200);
    expect(latest.body.items[0].product).toBe('Later Suite');
    const expiring = await a.agent.get('/api/v1/partner/licenses?status=expiring').expect(200);
    expect(expiring.body.items).toEqual([
      expect.objectContaining({ id: a.soonId, customerId: a.customerId, companyName: 'Badge Co', status: 'expiring' }),
    ]);
    await a.agent.get('/api/v1/partner/licenses?status=soon').expect(400);
    await a.agent.get('/api/v1/partner/licenses?expiresBefore=tomorrow').expect(400);
    const before = new Date(Date.now() + 30 * DAY_MS).toISOString();
    expect((await a.agent.get(`/api/v1/partner/licenses?expiresBefore=${before}`).expect(200)).body.total).toBe(1);

    await a.agent
      .post(`/api/v1/partner/customers/${b.customerId}/licenses/${b.soonId}/renew`)
      .send({ period: 'P1Y' })
      .expect(404);
    await a.agent
      .post(`/api/v1/partner/customers/${a.customerId}/licenses/${b.soonId}/renew`)
      .send({ period: 'P1Y' })
      .expect(404);
    await a.agent
      .post(`/api/v1/partner/customers/${a.customerId}/licenses/${a.soonId}/renew`)
      .send({ period: 'forever' })
      .expect(400);
    const renewed = await a.agent
      .post(`/api/v1/partner/customers/${a.customerId}/licenses/${a.soonId}/renew`)
      .send({ period: 'P1Y', seats: 4 })
      .expect(200);
    expect(renewed.body).toMatchObject({ seats: 4, status: 'active' });
  });

  it('shows the Licenses page filtered to expiring, the badge on the customers list, and renews from the form', async () => {
    const a = await partnerWithLicenses();
    const page = await a.agent.get('/partner/licenses?status=expiring').expect(200);
    expect(page.text).toContain('Soon Suite');
    expect(page.text).not.toContain('Later Suite');
    expect(page.text).toMatch(/<option value="expiring" selected>/);
    const customers = await a.agent.get('/partner/customers?q=Badge').expect(200);
    expect(customers.text).toContain('>Expiring</span>');

    const renewPath = `/partner/customers/${a.customerId}/licenses/${a.soonId}/renew`;
    const token = await formToken(a.agent, renewPath);
    const refused = await a.agent.post(renewPath).type('form').send({ _csrf: token, period: '', expiresAt: '' });
    expect(refused.status).toBe(400);
    const done = await a.agent
      .post(renewPath)
      .type('form')
      .send({ _csrf: token, period: 'P6M', expiresAt: '' })
      .expect(303);
    expect(done.headers.location).toContain('done=license-renewed');
    const after = await a.agent.get('/partner/licenses?status=expiring').expect(200);
    expect(after.text).not.toContain('Soon Suite');
  });

  it('saves the notice settings from the Settings page, and refuses days out of range', async () => {
    const a = await partnerWithLicenses();
    const token = await formToken(a.agent, '/partner/settings');
    const bad = await a.agent
      .post('/partner/settings/licenses')
      .type('form')
      .send({ _csrf: token, licenseNotices: 'yes', licenseNoticeDays: '30, 400', licenseGraceDays: '0' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('from 1 to 365');
    await a.agent
      .post('/partner/settings/licenses')
      .type('form')
      .send({ _csrf: token, licenseNotices: 'yes', licenseNoticeDays: '14, 60', licenseGraceDays: '10' })
      .expect(303);
    expect((await a.agent.get('/api/v1/partner/settings').expect(200)).body).toMatchObject({
      licenseNotices: true,
      licenseNoticeDays: [60, 14],
      licenseGraceDays: 10,
    });
    await a.agent
      .patch('/api/v1/partner/settings')
      .send({ licenseNoticeDays: [0] })
      .expect(400);
    await a.agent.patch('/api/v1/partner/settings').send({ licenseGraceDays: 91 }).expect(400);
    await a.agent.patch('/api/v1/partner/settings').send({ licenseNoticeDays: '7' }).expect(400);
  });
});
