import { INestApplication } from '@nestjs/common';
import TestAgent from 'supertest/lib/agent';
import { ADMIN_PASSWORD, insertActiveUser, partnerWithAdmin } from './fixtures';
import { signIn } from './http';

/**
 * A partner_support member of a partner, signed in. There is no product route that creates
 * partner staff yet (the demo seed and partner:create make admins), so the test writes the row.
 */
export async function supportUser(app: INestApplication, partnerId: string, email: string): Promise<TestAgent> {
  await insertActiveUser(app, { email, firstName: 'Sam', lastName: 'Support', role: 'partner_support', partnerId });
  return signIn(app, email, ADMIN_PASSWORD);
}

export interface Tenant {
  partnerId: string;
  admin: TestAgent;
  customerId: string;
  accountId: string;
  licenseId: string;
  requestId: string;
}

/** A partner with a customer, an invited account, a license and a reset request, through the API. */
export async function tenantWithData(app: INestApplication, code: string): Promise<Tenant> {
  const { agent: admin, partnerId } = await partnerWithAdmin(app, code);
  const c = await admin
    .post('/api/v1/partner/customers')
    .send({ companyName: `${code} customer`, country: 'FR' })
    .expect(201);
  const a = await admin
    .post(`/api/v1/partner/customers/${c.body.id}/accounts`)
    .send({ email: `user@${code}-customer.example.com`, firstName: 'Uma', lastName: code, role: 'full_access' })
    .expect(201);
  const l = await admin
    .post(`/api/v1/partner/customers/${c.body.id}/licenses`)
    .send({ product: 'Suite', seats: 5, startsAt: '2026-01-01T00:00:00Z', expiresAt: '2036-01-01T00:00:00Z' })
    .expect(201);
  const r = await admin.post(`/api/v1/partner/customers/${c.body.id}/accounts/${a.body.id}/password-reset`).expect(202);
  return {
    partnerId,
    admin,
    customerId: c.body.id,
    accountId: a.body.id,
    licenseId: l.body.id,
    requestId: r.body.requestId,
  };
}

/** The CSRF token of the form on a page (and the cookie that goes with it, kept by the agent). */
export async function formToken(agent: TestAgent, path: string): Promise<string> {
  const res = await agent.get(path);
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match) throw new Error(`no CSRF token on ${path} (status ${res.status})`);
  return match[1];
}
