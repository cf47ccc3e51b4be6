import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { ConsentEvent, CustomerRole, newId, User } from '@lmp/database';
import { PasswordHasher, SubscriptionService } from '@lmp/identity';
import { Mailbox } from './core-flow';
import { outboxCount, partnerWithAdmin } from './fixtures';
import { Flow } from './flows';
import { api, signIn } from './http';
import { formToken } from './partner-console';
import { linkIn, tokenOf } from './mail';

export interface AccountContext {
  app: INestApplication;
  mailbox: Mailbox;
  settle(): Promise<void>;
}

export const USER_PASSWORD = 'customer user passphrase';

export interface Company {
  partnerAgent: TestAgent;
  partnerId: string;
  customerId: string;
  admin: { id: string; email: string; agent: TestAgent };
}

let seq = 0;

/** A customer user with a password, inserted directly (the invitation flow is tested elsewhere). */
export async function insertUser(app: INestApplication, customerId: string, email: string, role: CustomerRole) {
  const now = new Date();
  const user: User = {
    id: newId(),
    email,
    passwordHash: await app.get(PasswordHasher).hash(USER_PASSWORD),
    status: 'active',
    emailVerifiedAt: now,
    firstName: 'First',
    lastName: email.split('@')[0],
    userType: 'company',
    phone: null,
    location: null,
    partnerId: null,
    customerId,
    role,
    failedLogins: 0,
    lockedUntil: null,
    mfaEnabled: false,
    passwordChangedAt: null,
    lastLoginAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await app.get(DataSource).getRepository(User).insert(user);
  return user;
}

/** A partner, one of its customers, and that company's signed-in full-access user. */
export async function companyWithAdmin(app: INestApplication, label = 'co'): Promise<Company> {
  const code = `${label}${Date.now().toString(36)}${seq++}`;
  const { agent: partnerAgent, partnerId } = await partnerWithAdmin(app, code);
  const c = await partnerAgent
    .post('/api/v1/partner/customers')
    .send({ companyName: `${code} Ltd`, country: 'DE' })
    .expect(201);
  const email = `boss@${code}.example.com`;
  const admin = await insertUser(app, c.body.id as string, email, 'full_access');
  return {
    partnerAgent,
    partnerId,
    customerId: c.body.id as string,
    admin: { id: admin.id, email, agent: await signIn(app, email, USER_PASSWORD) },
  };
}

export function fieldsOf(res: request.Response): string[] {
  return ((res.body as { errors?: Array<{ field: string }> }).errors ?? []).map((e) => e.field);
}

/** Change Password: wrong current password, mismatch, weak password; then other sessions end, this one stays. */
export async function changePassword(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'pw');
  const other = await signIn(ctx.app, co.admin.email, USER_PASSWORD);
  const me = co.admin.agent;

  const wrong = await me
    .post('/api/v1/me/password')
    .send({
      currentPassword: 'not my password',
      newPassword: 'a brand new passphrase',
      confirmPassword: 'a brand new passphrase',
    })
    .expect(400);
  expect(fieldsOf(wrong)).toEqual(['currentPassword']);
  const mismatch = await me
    .post('/api/v1/me/password')
    .send({
      currentPassword: USER_PASSWORD,
      newPassword: 'a brand new passphrase',
      confirmPassword: 'a brand new passphrase!',
    })
    .expect(400);
  expect(fieldsOf(mismatch)).toEqual(['confirmPassword']);
  const weak = await me
    .post('/api/v1/me/password')
    .send({ currentPassword: USER_PASSWORD, newPassword: 'password', confirmPassword: 'password' })
    .expect(400);
  expect(fieldsOf(weak)).toEqual(['newPassword']);
  await me.post('/api/v1/me/password').send({ currentPassword: USER_PASSWORD }).expect(400);
  await me.post('/api/v1/me/password').type('form').send('currentPassword=x').expect(415);
  await api(ctx.app).post('/api/v1/me/password').send({}).expect(401);

  const before = await me.get('/api/v1/me/sessions').expect(200);
  const oldId = (before.body.items as Array<{ id: string; current: boolean }>).find((s) => s.current)?.id;
  await me
    .post('/api/v1/me/password')
    .send({
      currentPassword: USER_PASSWORD,
      newPassword: 'a brand new passphrase',
      confirmPassword: 'a brand new passphrase',
    })
    .expect(204);
  // This browser stays signed in, under a fresh session id; the other one is signed out.
  const after = await me.get('/api/v1/me/sessions').expect(200);
  expect(after.body.items).toHaveLength(1);
  expect(after.body.items[0].id).not.toBe(oldId);
  await other.get('/api/v1/auth/session').expect(401);
  await signIn(ctx.app, co.admin.email, 'a brand new passphrase');
  await expect(signIn(ctx.app, co.admin.email, USER_PASSWORD)).rejects.toThrow(/401/);

  const notice = await ctx.mailbox.waitFor(co.admin.email, 'Your password was changed');
  expect(notice.text).toContain('/not-me?token=');
}

/** Edit Profile: field errors for a bad phone or country; E.164 stored; partial updates. */
export async function editProfile(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'pf');
  const me = co.admin.agent;
  const start = await me.get('/api/v1/me/profile').expect(200);
  expect(start.body).toMatchObject({ email: co.admin.email, userType: 'company', phone: null, location: null });

  const bad = await me
    .patch('/api/v1/me/profile')
    .send({ phone: '12345', location: { country: 'XX', city: 'Nowhere' } })
    .expect(400);
  expect(fieldsOf(bad).sort()).toEqual(['location.country', 'phone']);
  const badType = await me.patch('/api/v1/me/profile').send({ userType: 'robot', firstName: '' }).expect(400);
  expect(fieldsOf(badType).sort()).toEqual(['firstName', 'userType']);
  await me.patch('/api/v1/me/profile').send({ email: 'x@y.example.com' }).expect(400);

  const saved = await me
    .patch('/api/v1/me/profile')
    .send({
      userType: 'personal',
      firstName: ' Ada ',
      lastName: 'Lovelace',
      phone: '030 1234567',
      location: { country: 'de', city: 'Berlin' },
    })
    .expect(200);
  expect(saved.body).toMatchObject({
    userType: 'personal',
    firstName: 'Ada',
    lastName: 'Lovelace',
    phone: '+49301234567',
    location: { country: 'DE', city: 'Berlin' },
  });
  const cleared = await me.patch('/api/v1/me/profile').send({ phone: null }).expect(200);
  expect(cleared.body).toMatchObject({ phone: null, firstName: 'Ada', location: { country: 'DE' } });
  const again = await me.get('/api/v1/me/profile').expect(200);
  expect(again.body).toEqual(cleared.body);
  await api(ctx.app).get('/api/v1/me/profile').expect(401);
}

/** Change Email: password needed; link to the new address; notice to the old one; the switch on use. */
export async function changeEmail(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'em');
  const me = co.admin.agent;
  const newEmail = `new-${co.admin.email}`;

  const wrong = await me.post('/api/v1/me/email').send({ newEmail, password: 'wrong password' }).expect(400);
  expect(fieldsOf(wrong)).toEqual(['password']);
  await me.post('/api/v1/me/email').send({ newEmail: 'not-an-email', password: USER_PASSWORD }).expect(400);
  await me.post('/api/v1/me/email').send({ newEmail, password: USER_PASSWORD }).expect(202, {});
  await ctx.settle();

  const verify = await ctx.mailbox.waitFor(newEmail, 'Confirm your new email address');
  const notice = await ctx.mailbox.waitFor(co.admin.email, 'Your email address is being changed');
  expect(notice.text).toContain(newEmail);
  expect(notice.text).toContain('/not-me?token=');
  // Nothing changed yet.
  expect((await me.get('/api/v1/me/profile').expect(200)).body.email).toBe(co.admin.email);

  const link = linkIn(verify, '/confirm-email');
  const page = await api(ctx.app)
    .get(new URL(link).pathname + new URL(link).search)
    .expect(200);
  expect(page.text).toContain('Confirm new email address');
  // Confirmed from the owner's own browser, which stays signed in.
  await me
    .post('/api/v1/account/confirm-email')
    .send({ token: tokenOf(link) })
    .expect(200, { email: newEmail });
  await api(ctx.app)
    .post('/api/v1/account/confirm-email')
    .send({ token: tokenOf(link) })
    .expect(400);
  expect((await me.get('/api/v1/me/profile').expect(200)).body.email).toBe(newEmail);
  await signIn(ctx.app, newEmail, USER_PASSWORD);

  // A second change to an address that gets taken before the link is used: 409, nothing changes.
  const contested = `contested-${co.admin.email}`;
  await me.post('/api/v1/me/email').send({ newEmail: contested, password: USER_PASSWORD }).expect(202);
  await ctx.settle();
  const second = await ctx.mailbox.waitFor(contested, 'Confirm your new email address');
  await insertUser(ctx.app, co.customerId, contested, 'read_only');
  await api(ctx.app)
    .post('/api/v1/account/confirm-email')
    .send({ token: tokenOf(linkIn(second, '/confirm-email')) })
    .expect(409);
  expect((await me.get('/api/v1/me/profile').expect(200)).body.email).toBe(newEmail);
}

/** "This wasn't me" from the old address: locked, signed out, change cancelled, recovery by mail. */
export async function notMe(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'nm');
  const me = co.admin.agent;
  const newEmail = `thief-${co.admin.email}`;
  await me.post('/api/v1/me/email').send({ newEmail, password: USER_PASSWORD }).expect(202);
  await ctx.settle();
  const verify = await ctx.mailbox.waitFor(newEmail, 'Confirm your new email address');
  const notice = await ctx.mailbox.waitFor(co.admin.email, 'Your email address is being changed');
  const notMeLink = linkIn(notice, '/not-me');

  const page = await api(ctx.app)
    .get(new URL(notMeLink).pathname + new URL(notMeLink).search)
    .expect(200);
  expect(page.text).toContain('Lock my account');
  await api(ctx.app)
    .post('/api/v1/account/not-me')
    .send({ token: tokenOf(notMeLink) })
    .expect(200, { status: 'locked' });
  await api(ctx.app)
    .post('/api/v1/account/not-me')
    .send({ token: tokenOf(notMeLink) })
    .expect(400);

  await me.get('/api/v1/auth/session').expect(401);
  await expect(signIn(ctx.app, co.admin.email, USER_PASSWORD)).rejects.toThrow(/401/);
  await api(ctx.app)
    .post('/api/v1/account/confirm-email')
    .send({ token: tokenOf(linkIn(verify, '/confirm-email')) })
    .expect(400);

  const recovery = await ctx.mailbox.waitFor(co.admin.email, 'Your account is locked: recover it');
  await api(ctx.app)
    .post('/api/v1/auth/reset-password')
    .send({ token: tokenOf(linkIn(recovery, '/reset-password')), password: 'my recovered passphrase' })
    .expect(200);
  await signIn(ctx.app, co.admin.email, 'my recovered passphrase');
}

/**
 * "This wasn't me" after an intruder's change of address went through: the account goes back to
 * the old address, and the recovery link goes there, not to the intruder's new address.
 */
export async function notMeAfterChange(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'nc');
  const intruder = co.admin.agent;
  const newEmail = `intruder-${co.admin.email}`;
  await intruder.post('/api/v1/me/email').send({ newEmail, password: USER_PASSWORD }).expect(202);
  await ctx.settle();
  const verify = await ctx.mailbox.waitFor(newEmail, 'Confirm your new email address');
  const notice = await ctx.mailbox.waitFor(co.admin.email, 'Your email address is being changed');
  await intruder
    .post('/api/v1/account/confirm-email')
    .send({ token: tokenOf(linkIn(verify, '/confirm-email')) })
    .expect(200, { email: newEmail });

  await api(ctx.app)
    .post('/api/v1/account/not-me')
    .send({ token: tokenOf(linkIn(notice, '/not-me')) })
    .expect(200, { status: 'locked' });
  await ctx.settle();
  await intruder.get('/api/v1/auth/session').expect(401);
  await expect(signIn(ctx.app, newEmail, USER_PASSWORD)).rejects.toThrow(/401/);

  const recovery = await ctx.mailbox.waitFor(co.admin.email, 'Your account is locked: recover it');
  expect(await ctx.mailbox.count(newEmail, 'Your account is locked: recover it')).toBe(0);
  await api(ctx.app)
    .post('/api/v1/auth/reset-password')
    .send({ token: tokenOf(linkIn(recovery, '/reset-password')), password: 'my recovered passphrase' })
    .expect(200);
  const owner = await signIn(ctx.app, co.admin.email, 'my recovered passphrase');
  expect((await owner.get('/api/v1/me/profile').expect(200)).body.email).toBe(co.admin.email);
  await expect(signIn(ctx.app, newEmail, 'my recovered passphrase')).rejects.toThrow(/401/);
}

/** Email Subscription: opt-in, saved with a consent trail; the signed link unsubscribes without a session. */
export async function subscriptions(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'sb');
  const me = co.admin.agent;
  expect((await me.get('/api/v1/me/subscriptions').expect(200)).body).toEqual({
    newsletter: false,
    promotions: false,
    history: [],
  });
  await me.put('/api/v1/me/subscriptions').send({ newsletter: 'yes', promotions: true }).expect(400);
  const saved = await me.put('/api/v1/me/subscriptions').send({ newsletter: true, promotions: true }).expect(200);
  expect(saved.body).toMatchObject({ newsletter: true, promotions: true });
  expect(saved.body.history).toHaveLength(2);

  const url = ctx.app.get(SubscriptionService).unsubscribeUrl(co.admin.id);
  const path = new URL(url).pathname + new URL(url).search;
  await api(ctx.app).get(`${path}x`).expect(400);
  await api(ctx.app)
    .post('/unsubscribe?token=forged.token')
    .type('form')
    .send('List-Unsubscribe=One-Click')
    .expect(400);
  expect((await api(ctx.app).get(path).expect(200)).text).toContain('Unsubscribe');
  // RFC 8058 one-click: a form POST from the mail client, no cookie, no CSRF token.
  await api(ctx.app).post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);

  const after = await me.get('/api/v1/me/subscriptions').expect(200);
  expect(after.body).toMatchObject({ newsletter: false, promotions: false });
  const trail = await ctx.app.get(DataSource).getRepository(ConsentEvent).findBy({ userId: co.admin.id });
  expect(trail.map((e) => `${e.topic}:${e.granted}:${e.source}`).sort()).toEqual([
    'newsletter:false:unsubscribe_link',
    'newsletter:true:api',
    'promotions:false:unsubscribe_link',
    'promotions:true:api',
  ]);
}

/** Sessions: list with device, IP and last seen; sign out one; sign out all others. */
export async function sessions(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'ss');
  const me = co.admin.agent;
  const second = await signIn(ctx.app, co.admin.email, USER_PASSWORD);
  const third = await signIn(ctx.app, co.admin.email, USER_PASSWORD);
  const list = await me.get('/api/v1/me/sessions').set('User-Agent', 'TestBrowser/1.0').expect(200);
  const items = list.body.items as Array<{ id: string; current: boolean; lastSeenAt: string }>;
  expect(items).toHaveLength(3);
  expect(items.filter((s) => s.current)).toHaveLength(1);
  expect(items[0]).toEqual(expect.objectContaining({ ip: expect.any(String), lastSeenAt: expect.any(String) }));

  const secondId = (await second.get('/api/v1/me/sessions').expect(200)).body.items.find(
    (s: { current: boolean }) => s.current,
  ).id as string;
  await me.delete(`/api/v1/me/sessions/${secondId}`).expect(204);
  await second.get('/api/v1/auth/session').expect(401);
  await me.delete(`/api/v1/me/sessions/${secondId}`).expect(404);
  await me.delete('/api/v1/me/sessions/not-a-session').expect(404);
  // Another user's session id is not found either.
  const stranger = await companyWithAdmin(ctx.app, 'st');
  const strangerId = (await stranger.admin.agent.get('/api/v1/me/sessions').expect(200)).body.items[0].id as string;
  await me.delete(`/api/v1/me/sessions/${strangerId}`).expect(404);
  await stranger.admin.agent.get('/api/v1/auth/session').expect(200);

  await me.post('/api/v1/me/sessions/revoke-others').expect(204);
  await third.get('/api/v1/auth/session').expect(401);
  await me.get('/api/v1/auth/session').expect(200);
}

/** Company users: list, add (invitation), change role, remove; last-admin guard; read_only 403; other company 404. */
export async function companyUsers(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'cu');
  const me = co.admin.agent;
  const added = await me
    .post('/api/v1/company/users')
    .send({
      email: `new@${co.customerId.slice(0, 8)}.example.com`,
      firstName: 'New',
      lastName: 'User',
      role: 'read_only',
    })
    .expect(201);
  expect(added.body).toMatchObject({ role: 'read_only', status: 'invited' });
  await ctx.settle();
  const invite = await ctx.mailbox.waitFor(added.body.email as string, 'You have been invited to LMP');
  expect(invite.text).toContain('/reset-password?token=');
  await me
    .post('/api/v1/company/users')
    .send({ email: co.admin.email, firstName: 'Dup', lastName: 'User', role: 'read_only' })
    .expect(409);
  await me.post('/api/v1/company/users').send({ email: 'x', firstName: '', role: 'boss' }).expect(400);
  const list = await me.get('/api/v1/company/users').expect(200);
  expect((list.body.items as Array<{ email: string }>).map((u) => u.email).sort()).toEqual(
    [added.body.email, co.admin.email].sort(),
  );

  // The only full-access user can be neither demoted nor removed.
  await me.patch(`/api/v1/company/users/${co.admin.id}`).send({ role: 'read_only' }).expect(409);
  await me.delete(`/api/v1/company/users/${co.admin.id}`).expect(409);

  // A read-only user lists but changes nothing.
  const reader = await insertUser(ctx.app, co.customerId, `reader-${co.admin.email}`, 'read_only');
  const readerAgent = await signIn(ctx.app, reader.email, USER_PASSWORD);
  await readerAgent.get('/api/v1/company/users').expect(200);
  await readerAgent.patch(`/api/v1/company/users/${reader.id}`).send({ role: 'full_access' }).expect(403);
  await readerAgent.delete(`/api/v1/company/users/${co.admin.id}`).expect(403);
  await co.partnerAgent.get('/api/v1/company/users').expect(403);

  // Promote the reader, then the old admin can step down; removing the reader ends their sessions.
  await me.patch(`/api/v1/company/users/${reader.id}`).send({ role: 'full_access' }).expect(200);
  await readerAgent.get('/api/v1/company/users').expect(200);
  await me.patch(`/api/v1/company/users/${reader.id}`).send({ role: 'read_only' }).expect(200);
  await me.delete(`/api/v1/company/users/${reader.id}`).expect(204);
  await readerAgent.get('/api/v1/auth/session').expect(401);
  await me.delete(`/api/v1/company/users/${reader.id}`).expect(404);

  // Another company's users are never found, by any route; nothing is mailed.
  const other = await companyWithAdmin(ctx.app, 'cx');
  const outboxBefore = await outboxCount(ctx.app);
  await other.admin.agent.patch(`/api/v1/company/users/${co.admin.id}`).send({ role: 'read_only' }).expect(404);
  await other.admin.agent.delete(`/api/v1/company/users/${co.admin.id}`).expect(404);
  await other.admin.agent.delete('/api/v1/company/users/not-an-id').expect(404);
  const theirs = await other.admin.agent.get('/api/v1/company/users').expect(200);
  expect((theirs.body.items as Array<{ id: string }>).map((u) => u.id)).toEqual([other.admin.id]);
  expect(await outboxCount(ctx.app)).toBe(outboxBefore);
  await me.get('/api/v1/company/users').expect(200);
}

/**
 * The admin who left, through the partner: a partner admin promotes another user to Full Access
 * (every full-access user is told), then that user removes the old admin.
 */
export async function partnerPromotion(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'pp');
  const stayer = await insertUser(ctx.app, co.customerId, `stayer-${co.admin.email}`, 'read_only');
  const path = (accountId: string, customerId = co.customerId) =>
    `/api/v1/partner/customers/${customerId}/accounts/${accountId}/promote`;

  // Another partner's admin: 404 for the same ids, and nothing queued.
  const stranger = await partnerWithAdmin(ctx.app);
  const before = await outboxCount(ctx.app);
  await stranger.agent.post(path(stayer.id)).expect(404);
  await co.partnerAgent.post(path(stayer.id, newId())).expect(404);
  await co.partnerAgent.post(path(newId())).expect(404);
  await co.admin.agent.post(path(stayer.id)).expect(403);
  expect(await outboxCount(ctx.app)).toBe(before);

  const promoted = await co.partnerAgent.post(path(stayer.id)).expect(200);
  expect(promoted.body).toMatchObject({ id: stayer.id, role: 'full_access' });
  await ctx.settle();
  for (const to of [co.admin.email, stayer.email]) {
    const mail = await ctx.mailbox.waitFor(to, 'A user of your company now has Full Access');
    expect(mail.text).toContain(stayer.email);
  }
  const audit = await co.partnerAgent.get(`/api/v1/partner/audit?customerId=${co.customerId}`).expect(200);
  expect((audit.body.items as Array<{ action: string }>).map((e) => e.action)).toContain('account.promoted');

  const stayerAgent = await signIn(ctx.app, stayer.email, USER_PASSWORD);
  await stayerAgent.delete(`/api/v1/company/users/${co.admin.id}`).expect(204);
  await co.admin.agent.get('/api/v1/auth/session').expect(401);
  const left = await stayerAgent.get('/api/v1/company/users').expect(200);
  expect((left.body.items as Array<{ id: string }>).map((u) => u.id)).toEqual([stayer.id]);
}

/**
 * A new address confirmed: links mailed to the old address (a reset, a verification) stop working
 * at once, and every other session ends; the session that confirmed stays when it is the owner's.
 */
export async function emailChangeEndsOldLinks(ctx: AccountContext): Promise<void> {
  const suffix = `${Date.now().toString(36)}${seq++}`;
  const oldEmail = `self-${suffix}@old.example.com`;
  const password = 'my own long passphrase';
  await api(ctx.app)
    .post('/api/v1/auth/signup')
    .set('X-Forwarded-For', `198.51.100.${seq % 250}`)
    .send({ email: oldEmail, password, firstName: 'Sam', lastName: 'Self', userType: 'personal' })
    .expect(202);
  await ctx.settle();
  const verifyLink = linkIn(await ctx.mailbox.waitFor(oldEmail, 'Verify your email address'), '/verify-email');
  await api(ctx.app).post('/api/v1/auth/forgot-password').send({ email: oldEmail }).expect(202);
  await ctx.settle();
  const resetLink = linkIn(await ctx.mailbox.waitFor(oldEmail, 'Reset your password'), '/reset-password');

  const me = await signIn(ctx.app, oldEmail, password);
  const other = await signIn(ctx.app, oldEmail, password);
  const newEmail = `self-${suffix}@new.example.com`;
  await me.post('/api/v1/me/email').send({ newEmail, password }).expect(202);
  await ctx.settle();
  const confirm = linkIn(await ctx.mailbox.waitFor(newEmail, 'Confirm your new email address'), '/confirm-email');
  await me
    .post('/api/v1/account/confirm-email')
    .send({ token: tokenOf(confirm) })
    .expect(200, { email: newEmail });

  // The browser that confirmed stays signed in; every other one is signed out.
  expect((await me.get('/api/v1/me/profile').expect(200)).body.email).toBe(newEmail);
  await other.get('/api/v1/auth/session').expect(401);
  // Links that went to the old mailbox are dead.
  const reset = await api(ctx.app)
    .post('/api/v1/auth/reset-password')
    .send({ token: tokenOf(resetLink), password: 'taken over by the old mailbox' })
    .expect(400);
  expect(reset.body).toMatchObject({ type: '/problems/invalid-token' });
  await api(ctx.app)
    .post('/api/v1/auth/verify-email')
    .send({ token: tokenOf(verifyLink) })
    .expect(400);
  await expect(signIn(ctx.app, newEmail, 'taken over by the old mailbox')).rejects.toThrow(/401/);
  await signIn(ctx.app, newEmail, password);

  // Confirmed from a browser that is not the owner's (here: no session at all): every session ends.
  const newer = `self-${suffix}@newer.example.com`;
  const third = await signIn(ctx.app, newEmail, password);
  await me.post('/api/v1/me/email').send({ newEmail: newer, password }).expect(202);
  await ctx.settle();
  const confirm2 = linkIn(await ctx.mailbox.waitFor(newer, 'Confirm your new email address'), '/confirm-email');
  await api(ctx.app)
    .post('/api/v1/account/confirm-email')
    .send({ token: tokenOf(confirm2) })
    .expect(200);
  await me.get('/api/v1/auth/session').expect(401);
  await third.get('/api/v1/auth/session').expect(401);
}

/**
 * The password given again inside a session (/me/password, /me/email): a wrong one
 * counts toward the account's sign-in failures and is audited; five in a row end the session;
 * a right one starts the in-session count again.
 */
export async function reauthFailures(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'ra');
  const me = co.admin.agent;
  const wrongPassword = {
    currentPassword: 'a wrong guess',
    newPassword: 'x brand new pass',
    confirmPassword: 'x brand new pass',
  };
  const wrongEmail = { newEmail: `other-${co.admin.email}`, password: 'a wrong guess' };

  await me.post('/api/v1/me/password').send(wrongPassword).expect(400);
  await me.post('/api/v1/me/email').send(wrongEmail).expect(400);
  await me.post('/api/v1/me/email').send(wrongEmail).expect(400);
  await me.post('/api/v1/me/password').send(wrongPassword).expect(400);
  // A right password starts the count again.
  await me
    .post('/api/v1/me/email')
    .send({ ...wrongEmail, password: USER_PASSWORD })
    .expect(202);
  for (let i = 0; i < 4; i++) await me.post('/api/v1/me/email').send(wrongEmail).expect(400);
  // The fifth wrong one in a row ends the session.
  await me.post('/api/v1/me/password').send(wrongPassword).expect(401);
  await me.get('/api/v1/auth/session').expect(401);

  // Every wrong one was audited in the company's trail.
  const audit = await co.partnerAgent
    .get(`/api/v1/partner/audit?customerId=${co.customerId}&action=auth.reauth.failed&pageSize=100`)
    .expect(200);
  expect(audit.body.items).toHaveLength(9);
  expect(audit.body.items[0]).toMatchObject({ action: 'auth.reauth.failed', targetUserId: co.admin.id });

  // They count with sign-in failures: nine in the session and one at sign-in lock the account.
  await api(ctx.app).post('/api/v1/auth/login').send({ email: co.admin.email, password: 'a wrong guess' }).expect(401);
  await expect(signIn(ctx.app, co.admin.email, USER_PASSWORD)).rejects.toThrow(/401/);
  await ctx.mailbox.waitFor(co.admin.email, 'Your account is locked for a while');

  // Thirty wrong passwords at once in one session: exactly four are answered as wrong, the rest end it.
  const co2 = await companyWithAdmin(ctx.app, 'rp');
  const answers = await Promise.all(
    Array.from({ length: 30 }, () =>
      co2.admin.agent.post('/api/v1/me/email').send({ newEmail: `x-${co2.admin.email}`, password: 'a wrong guess' }),
    ),
  );
  const statuses = answers.map((r) => r.status);
  expect(statuses.filter((s) => s === 400)).toHaveLength(4);
  expect(statuses.filter((s) => s !== 400 && s !== 401)).toEqual([]);
  await co2.admin.agent.get('/api/v1/auth/session').expect(401);
}

/**
 * Invitations never tell whether an address has an account in another tenant: the same answer as
 * a fresh invitation, and the owner is told instead. They are limited per inviting user and per
 * company, and a self-signed-up user must verify the address before inviting anyone.
 */
export async function invitationsDoNotLeak(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'iv');
  const elsewhere = await companyWithAdmin(ctx.app, 'ie');
  const fresh = await co.admin.agent
    .post('/api/v1/company/users')
    .send({ email: `fresh-${co.admin.email}`, firstName: 'New', lastName: 'User', role: 'read_only' })
    .expect(201);
  const taken = await co.admin.agent
    .post('/api/v1/company/users')
    .send({ email: elsewhere.admin.email.toUpperCase(), firstName: 'New', lastName: 'User', role: 'read_only' })
    .expect(201);
  expect(Object.keys(taken.body).sort()).toEqual(Object.keys(fresh.body).sort());
  expect(taken.body).toMatchObject({ email: elsewhere.admin.email, status: 'invited', role: 'read_only' });
  // The other company's user is untouched and told; no invitation reached them.
  await ctx.settle();
  const notice = await ctx.mailbox.waitFor(elsewhere.admin.email, 'Someone tried to invite you to LMP');
  expect(notice.text).toContain('nothing was changed');
  expect(await ctx.mailbox.count(elsewhere.admin.email, 'You have been invited to LMP')).toBe(0);
  await elsewhere.admin.agent.get('/api/v1/company/users').expect(200);
  expect((await elsewhere.admin.agent.get('/api/v1/me/profile').expect(200)).body.email).toBe(elsewhere.admin.email);
  // Inside the caller's own company the answer may say so.
  const own = await co.admin.agent
    .post('/api/v1/company/users')
    .send({ email: co.admin.email, firstName: 'Dup', lastName: 'User', role: 'read_only' })
    .expect(409);
  expect(own.body.detail).toMatch(/already a user of this company/);

  // Partner staff: an address of another partner's tenant answers like a fresh one.
  const partnerFresh = await co.partnerAgent
    .post(`/api/v1/partner/customers/${co.customerId}/accounts`)
    .send({ email: `p-fresh-${co.admin.email}`, firstName: 'P', lastName: 'Fresh', role: 'read_only' })
    .expect(201);
  const partnerTaken = await co.partnerAgent
    .post(`/api/v1/partner/customers/${co.customerId}/accounts`)
    .send({ email: elsewhere.admin.email, firstName: 'P', lastName: 'Taken', role: 'read_only' })
    .expect(201);
  expect(Object.keys(partnerTaken.body).sort()).toEqual(Object.keys(partnerFresh.body).sort());
  const stranger = await partnerWithAdmin(ctx.app);
  await co.partnerAgent
    .post(`/api/v1/partner/customers/${co.customerId}/accounts`)
    .send({ email: stranger.adminEmail, firstName: 'P', lastName: 'Staff', role: 'read_only' })
    .expect(201);
  await ctx.settle();
  await ctx.mailbox.waitFor(stranger.adminEmail, 'Someone tried to invite you to LMP');
  await signIn(ctx.app, stranger.adminEmail, 'partner admin passphrase');
  // Within the partner's own tenant, "in use" is no secret.
  await co.partnerAgent
    .post(`/api/v1/partner/customers/${co.customerId}/accounts`)
    .send({ email: co.admin.email, firstName: 'P', lastName: 'Dup', role: 'read_only' })
    .expect(409);

  // The pages answer the same way: the same redirect and the same notice.
  const other = await companyWithAdmin(ctx.app, 'io');
  const pageAdd = async (agent: TestAgent, path: string, email: string) => {
    const token = await formToken(agent, path === '/company/users' ? path : `${path}/new`);
    const res = await agent
      .post(path)
      .type('form')
      .send({ _csrf: token, email, firstName: 'Page', lastName: 'Added', role: 'read_only' })
      .expect(303);
    return { location: res.headers.location as string, page: (await agent.get(res.headers.location).expect(200)).text };
  };
  for (const [agent, path] of [
    [co.admin.agent, '/company/users'],
    [co.partnerAgent, `/partner/customers/${co.customerId}/accounts`],
  ] as const) {
    const freshPage = await pageAdd(agent, path, `page-${path.length}-${co.admin.email}`);
    const takenPage = await pageAdd(agent, path, other.admin.email);
    expect(takenPage.location).toBe(
      freshPage.location.replace(/invited=[^&]+/, `invited=${encodeURIComponent(other.admin.email)}`),
    );
    expect(takenPage.page).toContain(`An invitation to set a password was emailed to ${other.admin.email}.`);
  }
}

/** Invitations per inviting user and per company are limited (429 with Retry-After). */
export async function invitationLimits(ctx: AccountContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'il');
  const invite = (agent: TestAgent, n: string) =>
    agent
      .post('/api/v1/company/users')
      .send({ email: `inv-${n}-${co.admin.email}`, firstName: 'Inv', lastName: n, role: 'read_only' });
  for (let i = 0; i < 20; i++) await invite(co.admin.agent, `a${i}`).expect(201);
  const limited = await invite(co.admin.agent, 'a20').expect(429);
  expect(limited.body).toMatchObject({ type: '/problems/rate-limited', status: 429 });
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

  // A second admin of the same company has a budget of its own, until the company's runs out.
  const second = await insertUser(ctx.app, co.customerId, `second-${co.admin.email}`, 'full_access');
  const secondAgent = await signIn(ctx.app, second.email, USER_PASSWORD);
  for (let i = 0; i < 10; i++) await invite(secondAgent, `b${i}`).expect(201);
  await invite(secondAgent, 'b10').expect(429);

  // The partner's invitations into one company are limited the same way.
  const other = await companyWithAdmin(ctx.app, 'ip');
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      other.partnerAgent
        .post(`/api/v1/partner/customers/${other.customerId}/accounts`)
        .send({ email: `burst-${i}-${other.admin.email}`, firstName: 'B', lastName: `${i}`, role: 'read_only' }),
    ),
  );
  expect(results.filter((r) => r.status === 201)).toHaveLength(20);
  expect(results.filter((r) => r.status === 429)).toHaveLength(20);
}

/** A self-signed-up user cannot invite before verifying the address. */
export async function unverifiedCannotInvite(ctx: AccountContext): Promise<void> {
  const email = `unverified-${Date.now().toString(36)}${seq++}@signup.example.com`;
  const password = 'my own long passphrase';
  await api(ctx.app)
    .post('/api/v1/auth/signup')
    .set('X-Forwarded-For', `198.51.100.${seq % 250}`)
    .send({ email, password, firstName: 'Un', lastName: 'Verified', userType: 'company', companyName: 'Fresh Co' })
    .expect(202);
  await ctx.settle();
  const verify = linkIn(await ctx.mailbox.waitFor(email, 'Verify your email address'), '/verify-email');
  const agent = await signIn(ctx.app, email, password);
  const body = { email: `invitee-${email}`, firstName: 'In', lastName: 'Vitee', role: 'read_only' };
  const refused = await agent.post('/api/v1/company/users').send(body).expect(403);
  expect(refused.body).toMatchObject({ type: '/problems/email-not-verified', status: 403 });
  expect((await agent.get('/api/v1/company/users').expect(200)).body.items).toHaveLength(1);
  await api(ctx.app)
    .post('/api/v1/auth/verify-email')
    .send({ token: tokenOf(verify) })
    .expect(200);
  await agent.post('/api/v1/company/users').send(body).expect(201);
}

/** My Profile and company users, the same on every stack. */
export const ACCOUNT_FLOWS: Array<Flow<AccountContext>> = [
  { name: 'changes the password: current password, confirmation, rules; other sessions end', run: changePassword },
  { name: 'edits the profile with field errors for a bad phone or country', run: editProfile },
  { name: 'changes the email address only when the link to the new one is used', run: changeEmail },
  { name: "locks the account from the old address's 'this wasn't me' link", run: notMe },
  {
    name: "gives the account back to the old address when 'this wasn't me' follows a completed change",
    run: notMeAfterChange,
  },
  { name: 'keeps email preferences with a consent trail; one-click unsubscribe works signed out', run: subscriptions },
  { name: 'lists sessions and signs out one or all others', run: sessions },
  {
    name: 'lets full-access users manage company users, never the last admin, never another company',
    run: companyUsers,
  },
  { name: 'lets a partner admin promote a user when the admin left', run: partnerPromotion },
  {
    name: 'ends links mailed to the old address and other sessions when a new address is confirmed',
    run: emailChangeEndsOldLinks,
  },
  { name: 'counts, audits and limits passwords given again inside a session', run: reauthFailures },
  { name: 'never tells an inviter whether an address has an account in another tenant', run: invitationsDoNotLeak },
  { name: 'limits invitations per inviting user and per company', run: invitationLimits },
  { name: 'lets no unverified self-signed-up user invite', run: unverifiedCannotInvite },
];
