import { INestApplication } from '@nestjs/common';
import TestAgent from 'supertest/lib/agent';
import { partnerWithAdmin } from './fixtures';
import { Flow } from './flows';
import { api, signIn } from './http';
import { linkIn, ReceivedMail, tokenOf } from './mail';

/** Where a scenario reads the mail the product sent: .eml files or a real SMTP server. */
export interface Mailbox {
  waitFor(to: string, subject: string): Promise<ReceivedMail>;
  count(to: string, subject: string): Promise<number>;
}

export interface FlowContext {
  app: INestApplication;
  mailbox: Mailbox;
  publicUrl: string;
  /** Lets queued work finish where it runs in-process; a no-op with real workers. */
  settle(): Promise<void>;
}

const pathOf = (link: string) => new URL(link).pathname + new URL(link).search;

/** Polls the partner's view of a reset request until it reaches `status`. */
async function statusBecomes(admin: TestAgent, requestId: string, status: string, settle: () => Promise<void>) {
  const deadline = Date.now() + 15000;
  for (;;) {
    await settle();
    const res = await admin.get(`/api/v1/partner/password-resets/${requestId}`).expect(200);
    if (res.body.status === status) return res.body as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`request ${requestId} stayed ${res.body.status}, expected ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The core flow, step by step as a partner admin and a customer live it: the admin creates a
 * customer and an account, the invitation sets the first password, the admin triggers a reset,
 * the emailed link sets a new one; the old password, the old session and the link stop working.
 */
export async function runCoreFlow(ctx: FlowContext, code: string): Promise<void> {
  const { app, mailbox } = ctx;
  const email = `kim.lee@${code}-contoso.example.com`;
  const { agent: admin, adminUserId } = await partnerWithAdmin(app, code);

  const customer = await admin
    .post('/api/v1/partner/customers')
    .send({ companyName: 'Contoso Ltd', country: 'gb' })
    .expect(201);
  expect(customer.body).toMatchObject({ companyName: 'Contoso Ltd', country: 'GB', status: 'active' });
  const customerId: string = customer.body.id;
  const list = await admin.get('/api/v1/partner/customers?q=conto').expect(200);
  expect(list.body).toMatchObject({ total: 1, page: 1, pageSize: 25 });
  expect(list.body.items[0]).toMatchObject({ id: customerId, accountCount: 0, licenseCount: 0 });

  const account = await admin
    .post(`/api/v1/partner/customers/${customerId}/accounts`)
    .send({ email: email.toUpperCase(), firstName: 'Kim', lastName: 'Lee', role: 'full_access' })
    .expect(201);
  expect(account.body).toMatchObject({ email, status: 'invited', emailVerified: false });
  const accountId: string = account.body.id;

  // The invitation arrives; its link shows a form, and posting the password spends it.
  await ctx.settle();
  const invitation = await mailbox.waitFor(email, 'You have been invited to LMP');
  expect(invitation.text).toContain('Contoso Ltd');
  const inviteLink = linkIn(invitation, '/reset-password');
  expect(inviteLink.startsWith(`${ctx.publicUrl}/reset-password?token=`)).toBe(true);
  expect((await api(app).get(pathOf(inviteLink)).expect(200)).text).toContain('Set your password');
  await api(app)
    .post('/api/v1/auth/reset-password')
    .send({ token: tokenOf(inviteLink), password: 'first customer password' })
    .expect(200);
  const customerAgent = await signIn(app, email, 'first customer password');
  const session = await customerAgent.get('/api/v1/auth/session').expect(200);
  expect(session.body).toMatchObject({
    user: { email, role: 'full_access' },
    emailVerified: true,
    customer: { id: customerId },
  });

  // The admin triggers a reset and watches it go from queued to sent.
  const reset = await admin
    .post(`/api/v1/partner/customers/${customerId}/accounts/${accountId}/password-reset`)
    .expect(202);
  expect(reset.body).toEqual({ requestId: expect.any(String), status: 'queued' });
  const requestId: string = reset.body.requestId;
  const sent = await statusBecomes(admin, requestId, 'sent', ctx.settle);
  expect(sent).toMatchObject({ requestId, accountId, requestedBy: adminUserId, usedAt: null });
  expect(sent.sentAt).toEqual(expect.any(String));
  const accountPage = await admin.get(`/api/v1/partner/customers/${customerId}/accounts/${accountId}`).expect(200);
  expect(accountPage.body.resetRequests[0]).toMatchObject({ requestId, status: 'sent' });

  // The link shows a form any number of times without spending the token (mail scanners).
  const resetMail = await mailbox.waitFor(email, 'Reset your password');
  expect(resetMail.text).toContain('expires in 60 minutes');
  expect(resetMail.html).toContain('Choose a new password');
  const link = linkIn(resetMail, '/reset-password');
  for (let i = 0; i < 3; i++) {
    const page = await api(app).get(pathOf(link)).expect(200);
    expect(page.text).toContain('Choose a new password');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  }
  // The current password keeps working until the link is used.
  await signIn(app, email, 'first customer password');

  await api(app)
    .post('/api/v1/auth/reset-password')
    .send({ token: tokenOf(link), password: 'brand new passphrase' })
    .expect(200);

  await signIn(app, email, 'brand new passphrase');
  await api(app).post('/api/v1/auth/login').send({ email, password: 'first customer password' }).expect(401);
  await customerAgent.get('/api/v1/auth/session').expect(401);
  const reused = await api(app)
    .post('/api/v1/auth/reset-password')
    .send({ token: tokenOf(link), password: 'another new passphrase' })
    .expect(400);
  expect(reused.body).toMatchObject({ type: '/problems/invalid-token', status: 400 });
  await api(app).get(pathOf(link)).expect(400);

  const used = await statusBecomes(admin, requestId, 'used', ctx.settle);
  expect(used.usedAt).toEqual(expect.any(String));

  // The owner is told, once.
  await mailbox.waitFor(email, 'Your password was changed');
  expect(await mailbox.count(email, 'Your password was changed')).toBe(1);
  expect(await mailbox.count(email, 'Reset your password')).toBe(1);

  const audit = await admin.get(`/api/v1/partner/audit?customerId=${customerId}&pageSize=100`).expect(200);
  expect((audit.body.items as Array<{ action: string }>).map((e) => e.action)).toEqual(
    expect.arrayContaining([
      'customer.created',
      'account.created',
      'account.invitation.sent',
      'account.invitation.accepted',
      'account.password_reset.requested',
      'account.password_reset.completed',
      'auth.login.succeeded',
      'auth.login.failed',
    ]),
  );
}

/** The core flow on every stack (the production path adds its own delivery checks). */
export const CORE_FLOWS: Array<Flow<FlowContext>> = [
  { name: 'runs from invitation to a used reset link', run: (ctx) => runCoreFlow(ctx, 'northwind') },
];
