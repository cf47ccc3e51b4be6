import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditEvent, MfaMethod, OutboxMessage, User } from '@lmp/database';
import { LOCK_AFTER_FAILURES, totpCode } from '@lmp/identity';
import { ProvisioningService } from '@lmp/tenancy';
import { companyWithAdmin, USER_PASSWORD } from './account-flow';
import { TestClock } from './console-app';
import { Mailbox } from './core-flow';
import { Flow } from './flows';
import { partnerWithAdmin } from './fixtures';
import { api } from './http';
import { linkIn, tokenOf } from './mail';
import { formToken } from './partner-console';

/**
 * What parallel requests must not get past: the account lockout, the per-IP failure limit,
 * single-use links and codes, and the per-recipient limit of emailed links. Every scenario
 * sends its requests all at once, as an attacker would.
 */
export interface ConcurrencyContext {
  app: INestApplication;
  mailbox: Mailbox;
  clock: TestClock;
  settle(): Promise<void>;
}

const LOCKED = 'Your account is locked for a while';

/** An address of its own for each request or scenario (10.x.y.z never collides with other suites). */
let ipSeq = 1;
export const uniqueIp = () => {
  const n = ipSeq++;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

export const all = <T>(n: number, make: (i: number) => Promise<T>): Promise<T[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => make(i)));

export const statuses = (answers: Array<{ status: number }>): Record<number, number> =>
  answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});

/** Waits until `n` mails with this subject reached `to` (delivery may run in this process: it yields). */
async function mailCount(ctx: ConcurrencyContext, to: string, subject: string, n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await ctx.settle();
    if ((await ctx.mailbox.count(to, subject)) >= n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} mails "${subject}" to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function signInFailuresChecked(app: INestApplication, userId: string): Promise<number> {
  const rows = await app.get(DataSource).getRepository(AuditEvent).findBy({ targetUserId: userId });
  return rows.filter((r) => r.detail?.reason === 'wrong_password').length;
}

const userByEmail = (app: INestApplication, email: string) =>
  app.get(DataSource).getRepository(User).findOneByOrFail({ email });

/**
 * Three bursts of 30 parallel wrong passwords, each from its own address: ten are checked, the
 * tenth locks the account, and the right password is then refused. The stored count is the
 * number of passwords that were checked, and one email tells of the lock.
 */
export async function parallelLockout(ctx: ConcurrencyContext): Promise<void> {
  const email = 'burst@lmp.example.com';
  const password = 'the right passphrase';
  await ctx.app.get(ProvisioningService).createPlatformAdmin({ email, password });
  const user = await userByEmail(ctx.app, email);
  const attempt = (pw: string) =>
    api(ctx.app).post('/api/v1/auth/login').set('X-Forwarded-For', uniqueIp()).send({ email, password: pw });

  const bodies = new Set<string>();
  for (let burst = 0; burst < 3; burst++) {
    const answers = await all(30, (i) => attempt(`wrong guess ${burst}-${i}`));
    expect(statuses(answers)).toEqual({ 401: 30 });
    answers.forEach((a) => bodies.add(JSON.stringify(a.body)));
  }
  expect(bodies.size).toBe(1);
  const refused = await attempt(password);
  expect(refused.status).toBe(401);
  expect(JSON.stringify(refused.body)).toBe([...bodies][0]);

  const checked = await signInFailuresChecked(ctx.app, user.id);
  expect(checked).toBe(LOCK_AFTER_FAILURES);
  const stored = await userByEmail(ctx.app, email);
  expect(stored.failedLogins).toBe(checked);
  expect(stored.lockedUntil!.getTime()).toBeGreaterThan(ctx.clock.now().getTime());
  await ctx.settle();
  await ctx.mailbox.waitFor(email, LOCKED);
  expect(await ctx.mailbox.count(email, LOCKED)).toBe(1);

  // When the lock ends, one more wrong password is checked and locks again for longer: a burst
  // gets one guess, not thirty.
  ctx.clock.advance(61_000);
  try {
    const next = await all(30, (i) => attempt(`after the lock ${i}`));
    expect(statuses(next)).toEqual({ 401: 30 });
    expect(await signInFailuresChecked(ctx.app, user.id)).toBe(LOCK_AFTER_FAILURES + 1);
    const relocked = await userByEmail(ctx.app, email);
    expect(relocked.failedLogins).toBe(LOCK_AFTER_FAILURES + 1);
    expect(relocked.lockedUntil!.getTime() - ctx.clock.now().getTime()).toBeGreaterThan(60_000);
    expect((await attempt(password)).status).toBe(401);
    await ctx.settle();
    await mailCount(ctx, email, LOCKED, 2);
    expect(await ctx.mailbox.count(email, LOCKED)).toBe(2);
    const second = await ctx.mailbox.waitFor(email, LOCKED);
    expect(second.text).toContain('paused for 2 minute(s)');
  } finally {
    ctx.clock.advance(-61_000);
  }
}

/**
 * 40 parallel failed sign-ins from one address: 20 are checked (401) and the rest are refused
 * with 429 and Retry-After; the right password from that address is refused too, but a browser
 * that signed in before (device cookie) still gets in.
 */
export async function parallelIpLimit(ctx: ConcurrencyContext): Promise<void> {
  const email = 'office-burst@lmp.example.com';
  const password = 'office burst passphrase';
  await ctx.app.get(ProvisioningService).createPlatformAdmin({ email, password });
  const ip = uniqueIp();
  const known = request.agent(ctx.app.getHttpServer());
  await known.post('/api/v1/auth/login').set('X-Forwarded-For', uniqueIp()).send({ email, password }).expect(200);

  const answers = await all(40, (i) =>
    api(ctx.app)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: `spray${i}@example.com`, password: 'guess' }),
  );
  expect(statuses(answers)).toEqual({ 401: 20, 429: 20 });
  for (const limited of answers.filter((a) => a.status === 429)) {
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
  }
  const blocked = await api(ctx.app).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });
  expect(blocked.status).toBe(429);
  await known.post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password }).expect(200);
}

/**
 * Right passwords do not use up an address's failure limit: 30 people of one office behind one
 * address sign in at once; at least 20 get in at the first try (attempts in flight count toward
 * the limit, so the others may be told to retry), and afterwards the address can still fail 20
 * times before it is paused.
 */
export async function parallelGoodSignIns(ctx: ConcurrencyContext): Promise<void> {
  const password = 'busy office passphrase';
  const emails = Array.from({ length: 30 }, (_, i) => `busy${i}@lmp.example.com`);
  for (const email of emails) await ctx.app.get(ProvisioningService).createPlatformAdmin({ email, password });
  const ip = uniqueIp();
  const good = await all(30, (i) =>
    api(ctx.app).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: emails[i], password }),
  );
  expect(good.filter((a) => a.status !== 200 && a.status !== 429)).toEqual([]);
  expect(good.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(20);
  for (const [i, answer] of good.entries())
    if (answer.status === 200) expect((await userByEmail(ctx.app, emails[i])).failedLogins).toBe(0);
  const bad = await all(25, (i) =>
    api(ctx.app)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: `nobody${i}@example.com`, password: 'guess' }),
  );
  expect(statuses(bad)).toEqual({ 401: 20, 429: 5 });

  // One account signing in 30 times at once: no error, and its own right passwords leave it
  // neither locked nor counted (at most LOCK_AFTER_FAILURES of them are checked at a time).
  const one = emails[0];
  const same = await all(30, () =>
    api(ctx.app).post('/api/v1/auth/login').set('X-Forwarded-For', uniqueIp()).send({ email: one, password }),
  );
  expect(same.filter((a) => a.status !== 200 && a.status !== 401)).toEqual([]);
  expect(same.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
  const after = await userByEmail(ctx.app, one);
  expect(after.failedLogins).toBe(0);
  expect(after.lockedUntil === null || after.lockedUntil <= ctx.clock.now()).toBe(true);
  await api(ctx.app)
    .post('/api/v1/auth/login')
    .set('X-Forwarded-For', uniqueIp())
    .send({ email: one, password })
    .expect(200);
}

/** Mail rows written for one recipient and template (the outbox is written with the link, in one transaction). */
async function outboxTo(ctx: ConcurrencyContext, recipient: string, template: string): Promise<number> {
  await ctx.settle();
  return ctx.app.get(DataSource).getRepository(OutboxMessage).countBy({ recipient, template });
}

/** A partner admin with one customer; `account(email)` adds an invited account and returns its API path. */
async function partnerCustomer(ctx: ConcurrencyContext, label: string) {
  const { agent: admin } = await partnerWithAdmin(ctx.app, `${label}${Date.now().toString(36)}`);
  const c = await admin
    .post('/api/v1/partner/customers')
    .send({ companyName: `${label} Ltd`, country: 'DE' })
    .expect(201);
  const account = async (email: string) => {
    const a = await admin
      .post(`/api/v1/partner/customers/${c.body.id}/accounts`)
      .send({ email, firstName: 'Flo', lastName: 'Oded', role: 'full_access' })
      .expect(201);
    return `/partner/customers/${c.body.id}/accounts/${a.body.id}`;
  };
  return { admin, account };
}

/**
 * Forgot password, asked again and again for one address from many addresses: always 202 with
 * the same body; a second and third request within minutes each send a link that replaces the
 * older one, and no more than 5 links reach the mailbox in 15 minutes, in sequence or in parallel.
 */
export async function forgotPasswordFlood(ctx: ConcurrencyContext): Promise<void> {
  const email = 'flooded@lmp.example.com';
  const password = 'flooded passphrase';
  await ctx.app.get(ProvisioningService).createPlatformAdmin({ email, password });
  const ask = () =>
    api(ctx.app).post('/api/v1/auth/forgot-password').set('X-Forwarded-For', uniqueIp()).send({ email });

  const links: string[] = [];
  for (let i = 0; i < 3; i++) {
    await ask().expect(202, {});
    await mailCount(ctx, email, 'Reset your password', i + 1);
    links.push(tokenOf(linkIn(await ctx.mailbox.waitFor(email, 'Reset your password'), '/reset-password')));
  }
  expect(new Set(links).size).toBe(3);
  // The newest link replaces the older ones.
  await api(ctx.app)
    .post('/api/v1/auth/reset-password')
    .send({ token: links[1], password: 'second new passphrase' })
    .expect(400);
  await api(ctx.app)
    .post('/api/v1/auth/reset-password')
    .send({ token: links[2], password: 'third new passphrase' })
    .expect(200);

  const flood = await all(30, () => ask());
  expect(statuses(flood)).toEqual({ 202: 30 });
  expect(new Set(flood.map((f) => JSON.stringify(f.body))).size).toBe(1);
  for (let i = 0; i < 5; i++) await ask().expect(202, {});
  expect(await outboxTo(ctx, email, 'password-reset')).toBe(5);
}

/**
 * Partner-triggered resets of one account, 30 at once: 5 go out, the rest get 429 with
 * Retry-After and a problem saying when to try again; the console page says it in words.
 */
export async function partnerResetFlood(ctx: ConcurrencyContext): Promise<void> {
  const { admin, account } = await partnerCustomer(ctx, 'flood');
  const email = `owner${Date.now().toString(36)}@flooded-partner.example.com`;
  const path = await account(email); // the invitation is the first link of five
  const answers = await all(30, () => admin.post(`/api/v1${path}/password-reset`));
  expect(statuses(answers)).toEqual({ 202: 4, 429: 26 });
  for (const limited of answers.filter((a) => a.status === 429)) {
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ type: '/problems/rate-limited', status: 429 });
    expect(limited.body.detail).toMatch(/Try again in \d+ minute\(s\)\./);
  }
  expect((await outboxTo(ctx, email, 'password-reset')) + (await outboxTo(ctx, email, 'invitation'))).toBe(5);

  const notice = await admin.get(`${path}/reset-password/confirm`).expect(200);
  expect(notice.text).toContain('At most 5 emails with a link go to one address in 15 minutes');
  const csrf = await formToken(admin, `${path}/reset-password/confirm`);
  const page = await admin.post(`${path}/reset-password`).type('form').send({ _csrf: csrf });
  expect(page.status).toBe(429);
  expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
  expect(page.text).toContain('emails with a link in the last 15 minutes');
  expect(page.text).toMatch(/Try again in \d+ minute\(s\)\./);

  // Sequentially: a second and third click within minutes still work.
  const other = await account(`other${Date.now().toString(36)}@flooded-partner.example.com`);
  for (let i = 0; i < 4; i++) await admin.post(`/api/v1${other}/password-reset`).expect(202);
  await admin.post(`/api/v1${other}/password-reset`).expect(429);
}

/** Verification links asked for 30 times at once: 5 go out (the sign-up's own link aside); the answer never changes. */
export async function resendVerificationFlood(ctx: ConcurrencyContext): Promise<void> {
  const email = `unverified${Date.now().toString(36)}@selfmade.example.com`;
  await api(ctx.app)
    .post('/api/v1/auth/signup')
    .set('X-Forwarded-For', uniqueIp())
    .send({ email, password: 'my own long passphrase', firstName: 'Una', lastName: 'Verified', userType: 'personal' })
    .expect(202);
  expect(await outboxTo(ctx, email, 'email-verify')).toBe(1);
  const answers = await all(30, () =>
    api(ctx.app).post('/api/v1/auth/resend-verification').set('X-Forwarded-For', uniqueIp()).send({ email }),
  );
  expect(statuses(answers)).toEqual({ 202: 30 });
  expect(await outboxTo(ctx, email, 'email-verify')).toBe(1 + 5);
}

/** Email change links to one new address: five requests in a row go, the sixth is refused with 429. */
export async function emailChangeFlood(ctx: ConcurrencyContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'echg');
  const target = `victim${Date.now().toString(36)}@elsewhere.example.com`;
  for (let i = 0; i < 5; i++)
    await co.admin.agent.post('/api/v1/me/email').send({ newEmail: target, password: USER_PASSWORD }).expect(202);
  const refused = await co.admin.agent.post('/api/v1/me/email').send({ newEmail: target, password: USER_PASSWORD });
  expect(refused.status).toBe(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  expect(await outboxTo(ctx, target, 'email-change-verify')).toBe(5);
}

/**
 * Invitations to one address, invited and removed again and again by a company admin: five go
 * out, the sixth is refused with 429 and nothing is created.
 */
export async function invitationFlood(ctx: ConcurrencyContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'invites');
  const email = `invitee${Date.now().toString(36)}@elsewhere.example.com`;
  const invite = () =>
    co.admin.agent.post('/api/v1/company/users').send({ email, firstName: 'In', lastName: 'Vitee', role: 'read_only' });
  for (let i = 0; i < 5; i++) {
    const added = await invite().expect(201);
    await co.admin.agent.delete(`/api/v1/company/users/${added.body.id}`).expect(204);
  }
  const refused = await invite();
  expect(refused.status).toBe(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  expect(refused.body.detail).toMatch(/Try again in \d+ minute\(s\)\./);
  expect(await ctx.app.get(DataSource).getRepository(User).countBy({ email })).toBe(0);
  expect(await outboxTo(ctx, email, 'invitation')).toBe(5);
}

/** One reset link posted by 20 requests at once: exactly one sets the password. */
export async function resetLinkOnce(ctx: ConcurrencyContext): Promise<void> {
  const email = 'once@lmp.example.com';
  await ctx.app.get(ProvisioningService).createPlatformAdmin({ email, password: 'before the reset' });
  await api(ctx.app)
    .post('/api/v1/auth/forgot-password')
    .set('X-Forwarded-For', uniqueIp())
    .send({ email })
    .expect(202);
  await ctx.settle();
  const token = tokenOf(linkIn(await ctx.mailbox.waitFor(email, 'Reset your password'), '/reset-password'));
  const answers = await all(20, (i) =>
    api(ctx.app)
      .post('/api/v1/auth/reset-password')
      .send({ token, password: `parallel passphrase ${i}` }),
  );
  expect(statuses(answers)).toEqual({ 200: 1, 400: 19 });
  const winner = answers.findIndex((a) => a.status === 200);
  await api(ctx.app)
    .post('/api/v1/auth/login')
    .set('X-Forwarded-For', uniqueIp())
    .send({ email, password: `parallel passphrase ${winner}` })
    .expect(200);
}

/** One verification link posted 20 times at once: one 200, and the address is verified once. */
export async function verifyLinkOnce(ctx: ConcurrencyContext): Promise<void> {
  const email = `verify-once${Date.now().toString(36)}@selfmade.example.com`;
  await api(ctx.app)
    .post('/api/v1/auth/signup')
    .set('X-Forwarded-For', uniqueIp())
    .send({ email, password: 'my own long passphrase', firstName: 'Vera', lastName: 'Once', userType: 'personal' })
    .expect(202);
  await ctx.settle();
  const token = tokenOf(linkIn(await ctx.mailbox.waitFor(email, 'Verify your email address'), '/verify-email'));
  const answers = await all(20, () =>
    api(ctx.app).post('/api/v1/auth/verify-email').set('X-Forwarded-For', uniqueIp()).send({ token }),
  );
  expect(statuses(answers)).toEqual({ 200: 1, 400: 19 });
  const user = await userByEmail(ctx.app, email);
  const verified = await ctx.app
    .get(DataSource)
    .getRepository(AuditEvent)
    .countBy({ targetUserId: user.id, action: 'account.email_verified' });
  expect(verified).toBe(1);
}

/**
 * A code sent by email, tried 30 times at once with wrong guesses: only 5 tries are counted,
 * and then even the right code is refused.
 */
export async function sentCodeTries(ctx: ConcurrencyContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'tries');
  const me = co.admin.agent;
  const second = `second@${co.admin.email.split('@')[1]}`;
  const setup = await me.post('/api/v1/me/mfa/email').send({ email: second }).expect(201);
  await ctx.settle();
  const code = /\b(\d{6})\b/.exec((await ctx.mailbox.waitFor(second, 'Your LMP security code')).text)![1];
  const wrong = code === '000000' ? '111111' : '000000';
  const answers = await all(30, () => me.post(`/api/v1/me/mfa/${setup.body.methodId}/confirm`).send({ code: wrong }));
  expect(statuses(answers)).toEqual({ 400: 30 });
  const method = await ctx.app.get(DataSource).getRepository(MfaMethod).findOneByOrFail({ id: setup.body.methodId });
  expect(method.codeTries).toBe(5);
  await me.post(`/api/v1/me/mfa/${setup.body.methodId}/confirm`).send({ code }).expect(400);
}

/** "Send the code again", 30 times at once: one code goes out, the rest are told to wait. */
export async function sendCodeOnce(ctx: ConcurrencyContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'resend');
  const me = co.admin.agent;
  const second = `second@${co.admin.email.split('@')[1]}`;
  const setup = await me.post('/api/v1/me/mfa/email').send({ email: second }).expect(201);
  ctx.clock.advance(31_000);
  const answers = await all(30, () => me.post(`/api/v1/me/mfa/${setup.body.methodId}/resend`));
  expect(statuses(answers)).toEqual({ 202: 1, 429: 29 });
  expect(await outboxTo(ctx, second, 'mfa-code')).toBe(2);
}

/** Pending sign-ins (password step passed) of one user, `n` of them. */
async function pendingSignIns(ctx: ConcurrencyContext, email: string, n: number) {
  const agents = [];
  for (let i = 0; i < n; i++) {
    const agent = request.agent(ctx.app.getHttpServer());
    await agent
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', uniqueIp())
      .send({ email, password: USER_PASSWORD })
      .expect(200);
    agents.push(agent);
  }
  return agents;
}

/** A user with the authenticator app on: its key, method and recovery codes. */
async function withTotp(ctx: ConcurrencyContext, label: string) {
  const co = await companyWithAdmin(ctx.app, label);
  const setup = await co.admin.agent.post('/api/v1/me/mfa/totp').expect(201);
  ctx.clock.advance(30_000);
  const confirmed = await co.admin.agent
    .post(`/api/v1/me/mfa/${setup.body.methodId}/confirm`)
    .send({ code: totpCode(setup.body.secret, ctx.clock.now()) })
    .expect(200);
  return {
    co,
    secret: setup.body.secret as string,
    methodId: setup.body.methodId as string,
    recoveryCodes: confirmed.body.recoveryCodes as string[],
  };
}

/** One recovery code sent by 20 pending sign-ins at once: one gets in, and one code is spent. */
export async function recoveryCodeOnce(ctx: ConcurrencyContext): Promise<void> {
  const { co, recoveryCodes } = await withTotp(ctx, 'once-rc');
  const pending = await pendingSignIns(ctx, co.admin.email, 20);
  const answers = await all(20, (i) =>
    pending[i].post('/api/v1/auth/login/mfa').send({ recoveryCode: recoveryCodes[0] }),
  );
  expect(statuses(answers)).toEqual({ 200: 1, 401: 19 });
  expect((await co.admin.agent.get('/api/v1/me/mfa').expect(200)).body.recoveryCodesLeft).toBe(9);
}

/** One authenticator code sent by 20 pending sign-ins at once: one gets in. */
export async function totpCodeOnce(ctx: ConcurrencyContext): Promise<void> {
  const { co, secret, methodId } = await withTotp(ctx, 'once-totp');
  const pending = await pendingSignIns(ctx, co.admin.email, 20);
  ctx.clock.advance(30_000);
  const code = totpCode(secret, ctx.clock.now());
  const answers = await all(20, (i) => pending[i].post('/api/v1/auth/login/mfa').send({ methodId, code }));
  expect(statuses(answers)).toEqual({ 200: 1, 401: 19 });
}

/**
 * Wrong sign-in codes from 3 pending sign-ins, 10 at once each: every pending sign-in counts at
 * least its 5 wrong codes toward the lockout (15, beyond the 10 that lock), so the account locks
 * (one email), and the stored count is the number of codes that were checked.
 */
export async function wrongCodesLock(ctx: ConcurrencyContext): Promise<void> {
  const { co, methodId } = await withTotp(ctx, 'codes-lock');
  const pending = await pendingSignIns(ctx, co.admin.email, 3);
  const answers = await all(30, (i) =>
    pending[i % 3].post('/api/v1/auth/login/mfa').send({ methodId, code: i % 2 ? '000000' : '999999' }),
  );
  expect(statuses(answers)).toEqual({ 401: 30 });
  const rows = await ctx.app.get(DataSource).getRepository(AuditEvent).findBy({ targetUserId: co.admin.id });
  const checked = rows.filter((r) => r.detail?.reason === 'wrong_code').length;
  expect(checked).toBeGreaterThanOrEqual(LOCK_AFTER_FAILURES);
  const user = await userByEmail(ctx.app, co.admin.email);
  expect(user.failedLogins).toBe(checked);
  expect(user.lockedUntil!.getTime()).toBeGreaterThan(ctx.clock.now().getTime());
  await mailCount(ctx, co.admin.email, LOCKED, 1);
  expect(await ctx.mailbox.count(co.admin.email, LOCKED)).toBe(1);
  await api(ctx.app)
    .post('/api/v1/auth/login')
    .set('X-Forwarded-For', uniqueIp())
    .send({ email: co.admin.email, password: USER_PASSWORD })
    .expect(401);
}

export const CONCURRENCY_FLOWS: Array<Flow<ConcurrencyContext>> = [
  { name: 'parallel wrong passwords cannot outrun the lockout; the right one is then refused', run: parallelLockout },
  { name: '40 parallel failures from one address: 20 are checked, the rest get 429', run: parallelIpLimit },
  {
    name: 'parallel right passwords of one office do not use up the failure limit of its address',
    run: parallelGoodSignIns,
  },
  { name: 'forgot password: 202 always, at most 5 links per mailbox in 15 minutes', run: forgotPasswordFlood },
  {
    name: 'partner resets of one account: 5 go, then 429 with Retry-After and words on the page',
    run: partnerResetFlood,
  },
  { name: 'verification links asked for in parallel: at most 5 per mailbox', run: resendVerificationFlood },
  { name: 'email change links to one address: at most 5, then 429', run: emailChangeFlood },
  { name: 'invitations to one address: at most 5, then 429', run: invitationFlood },
  { name: 'a reset link used by 20 parallel requests sets the password once', run: resetLinkOnce },
  { name: 'a verification link used by 20 parallel requests verifies once', run: verifyLinkOnce },
  { name: 'an emailed code tried 30 times at once counts 5 tries, then the right code is refused', run: sentCodeTries },
  { name: 'send the code again, 30 times at once: one code goes', run: sendCodeOnce },
  { name: 'a recovery code used by 20 sign-ins at once: one gets in', run: recoveryCodeOnce },
  { name: 'an authenticator code used by 20 sign-ins at once: one gets in', run: totpCodeOnce },
  { name: 'wrong sign-in codes sent at once lock the account once', run: wrongCodesLock },
];
