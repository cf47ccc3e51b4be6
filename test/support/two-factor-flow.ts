import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MfaMethod } from '@lmp/database';
import { SecretBox, totpCode } from '@lmp/identity';
import { companyWithAdmin, fieldsOf, insertUser, USER_PASSWORD } from './account-flow';
import { Mailbox } from './core-flow';
import { Flow } from './flows';
import { partnerWithAdmin } from './fixtures';
import { api, signIn } from './http';
import { linkIn, ReceivedMail, tokenOf } from './mail';
import { TestSmsGateway } from './sms-gateway';

export interface TwoFactorContext {
  app: INestApplication;
  mailbox: Mailbox;
  /** The SMS provider the console talks to over HTTP. */
  sms: TestSmsGateway;
  clock: { now(): Date; advance(ms: number): void };
  settle(): Promise<void>;
}

const SUBJECT = {
  code: 'Your LMP security code',
  changed: 'Your two-factor authentication settings changed',
  disabled: 'Two-factor authentication has been disabled',
  low: 'You are running out of recovery codes',
  locked: 'Your account is locked for a while',
};

const STEP_MS = 30_000;
const cookiesOf = (res: request.Response): string[] => ([] as string[]).concat(res.headers['set-cookie'] ?? []);
const cookieValue = (res: request.Response, name: string): string | undefined =>
  cookiesOf(res)
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    .slice(name.length + 1);

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The next mail with this subject after `seen` of them arrived. */
async function nextMail(ctx: TwoFactorContext, to: string, subject: string, seen: number): Promise<ReceivedMail> {
  await until(`mail "${subject}" #${seen + 1} to ${to}`, async () => {
    await ctx.settle();
    return (await ctx.mailbox.count(to, subject)) > seen ? true : undefined;
  });
  return ctx.mailbox.waitFor(to, subject);
}

const codeIn = (mail: ReceivedMail): string => /\b(\d{6})\b/.exec(mail.text)?.[1] ?? 'no code in mail';

function smsCount(ctx: TwoFactorContext, phone: string): number {
  return ctx.sms.requests.filter((r) => (r.body as { to?: string } | null)?.to === phone).length;
}

/** The code of the next text message to `phone` after `seen` of them. */
async function nextSmsCode(ctx: TwoFactorContext, phone: string, seen: number): Promise<string> {
  await until(`text message #${seen + 1} to ${phone}`, async () => {
    await ctx.settle();
    return smsCount(ctx, phone) > seen ? true : undefined;
  });
  return ctx.sms.lastCodeTo(phone);
}

/** A TOTP code of the next time step: each code is accepted once. */
function nextTotp(ctx: TwoFactorContext, secret: string): string {
  ctx.clock.advance(STEP_MS);
  return totpCode(secret, ctx.clock.now());
}

/** Password step: a pending sign-in. Returns the agent holding the pending cookie and the answer. */
async function passwordStep(ctx: TwoFactorContext, email: string, password = USER_PASSWORD) {
  const agent = request.agent(ctx.app.getHttpServer());
  const res = await agent.post('/api/v1/auth/login').send({ email, password }).expect(200);
  return { agent, res };
}

/** Sets up the authenticator app for a signed-in user; returns its secret, method and recovery codes. */
export async function enableTotp(ctx: TwoFactorContext, me: TestAgent) {
  const setup = await me.post('/api/v1/me/mfa/totp').expect(201);
  const secret = setup.body.secret as string;
  const confirmed = await me
    .post(`/api/v1/me/mfa/${setup.body.methodId}/confirm`)
    .send({ code: nextTotp(ctx, secret) })
    .expect(200);
  return { secret, methodId: setup.body.methodId as string, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

/**
 * Authenticator app: set up (pending until confirmed), sign in with a code, replays refused,
 * the pending sign-in reaches nothing, the new session has a fresh id.
 */
export async function authenticatorApp(ctx: TwoFactorContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'totp');
  const me = co.admin.agent;
  expect((await me.get('/api/v1/me/mfa').expect(200)).body).toEqual({
    enabled: false,
    methods: [],
    recoveryCodesLeft: 0,
  });

  const setup = await me.post('/api/v1/me/mfa/totp').expect(201);
  const secret = setup.body.secret as string;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const otpauth = new URL(setup.body.otpauthUrl as string);
  expect(otpauth.protocol).toBe('otpauth:');
  expect(otpauth.searchParams.get('issuer')).toBe('LMP');
  expect(otpauth.searchParams.get('secret')).toBe(secret);
  expect(decodeURIComponent(otpauth.pathname)).toContain(co.admin.email);
  expect(setup.body.qrDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  // Pending: not on, not listed, and sign-in still needs nothing more.
  expect((await me.get('/api/v1/me/mfa').expect(200)).body.enabled).toBe(false);

  const wrong = await me.post(`/api/v1/me/mfa/${setup.body.methodId}/confirm`).send({ code: '000000' }).expect(400);
  expect(fieldsOf(wrong)).toEqual(['code']);
  await me.post(`/api/v1/me/mfa/${setup.body.methodId}/confirm`).send({ code: 'abc' }).expect(400);
  const mailsBefore = await ctx.mailbox.count(co.admin.email, SUBJECT.changed);
  const confirmCode = nextTotp(ctx, secret);
  const confirmed = await me
    .post(`/api/v1/me/mfa/${setup.body.methodId}/confirm`)
    .send({ code: confirmCode })
    .expect(200);
  expect(confirmed.body).toMatchObject({
    id: setup.body.methodId,
    kind: 'totp',
    hint: 'Authenticator app',
    isDefault: true,
  });
  expect(confirmed.body.recoveryCodes).toHaveLength(10);
  expect(new Set(confirmed.body.recoveryCodes as string[]).size).toBe(10);
  const notice = await nextMail(ctx, co.admin.email, SUBJECT.changed, mailsBefore);
  expect(notice.text).toContain('two-factor authentication was turned on with Authenticator app');
  const overview = (await me.get('/api/v1/me/mfa').expect(200)).body;
  expect(overview).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
  expect(overview.methods).toEqual([
    expect.objectContaining({ id: setup.body.methodId, kind: 'totp', isDefault: true, hint: 'Authenticator app' }),
  ]);
  // Confirming twice is refused; the partner sees 2FA on for the account.
  await me.post(`/api/v1/me/mfa/${setup.body.methodId}/confirm`).send({ code: confirmCode }).expect(409);
  const accounts = await co.partnerAgent.get(`/api/v1/partner/customers/${co.customerId}/accounts`).expect(200);
  expect(accounts.body.items.find((a: { email: string }) => a.email === co.admin.email).mfaEnabled).toBe(true);

  // Password step: no session, a pending cookie that grants nothing.
  const { agent, res } = await passwordStep(ctx, co.admin.email);
  expect(res.body).toEqual({
    mfaRequired: true,
    methods: [{ id: setup.body.methodId, kind: 'totp', hint: 'Authenticator app', isDefault: true }],
  });
  expect(cookieValue(res, 'lmp_session')).toBeUndefined();
  const pending = cookieValue(res, 'lmp_mfa_pending');
  expect(pending).toBeTruthy();
  for (const path of ['/api/v1/auth/session', '/api/v1/me/profile', '/api/v1/me/mfa', '/api/v1/company/users']) {
    await agent.get(path).expect(401);
    await api(ctx.app).get(path).set('Cookie', `lmp_session=${pending}`).expect(401);
  }
  await api(ctx.app).get('/account/profile').set('Cookie', `lmp_session=${pending}`).expect(303);

  // The code used to confirm is spent; a wrong code is refused; so is a code for another user's method.
  await agent.post('/api/v1/auth/login/mfa').send({ methodId: setup.body.methodId, code: confirmCode }).expect(401);
  await agent.post('/api/v1/auth/login/mfa').send({ methodId: setup.body.methodId, code: '123456' }).expect(401);
  await agent.post('/api/v1/auth/login/mfa').send({ methodId: 'not-an-id', code: '123456' }).expect(400);
  await agent.post('/api/v1/auth/login/mfa/send').send({ methodId: setup.body.methodId }).expect(400);

  const code = nextTotp(ctx, secret);
  const done = await agent.post('/api/v1/auth/login/mfa').send({ methodId: setup.body.methodId, code }).expect(200);
  expect(done.body).toMatchObject({ user: { email: co.admin.email }, mfaPassed: true });
  const fresh = cookieValue(done, 'lmp_session');
  expect(fresh).toBeTruthy();
  expect(fresh).not.toBe(pending);
  expect((await agent.get('/api/v1/auth/session').expect(200)).body.mfaPassed).toBe(true);
  // The pending sign-in is over, and the same code does not sign in a second browser.
  await api(ctx.app)
    .post('/api/v1/auth/login/mfa')
    .set('Cookie', `lmp_mfa_pending=${pending}`)
    .send({ methodId: setup.body.methodId, code })
    .expect(401);
  const second = await passwordStep(ctx, co.admin.email);
  await second.agent.post('/api/v1/auth/login/mfa').send({ methodId: setup.body.methodId, code }).expect(401);
  // Without a pending sign-in there is nothing to complete.
  await api(ctx.app)
    .post('/api/v1/auth/login/mfa')
    .send({ methodId: setup.body.methodId, code: nextTotp(ctx, secret) })
    .expect(401);
}

/** Recovery codes: each works once, the count goes down, regenerating voids the old ones, a warning when few are left. */
export async function recoveryCodes(ctx: TwoFactorContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'rec');
  const { recoveryCodes: codes } = await enableTotp(ctx, co.admin.agent);

  const first = await passwordStep(ctx, co.admin.email);
  // Case, spaces and dashes do not matter.
  const typed = codes[0].toUpperCase().replace('-', ' ');
  await first.agent.post('/api/v1/auth/login/mfa').send({ recoveryCode: typed }).expect(200);
  const again = await passwordStep(ctx, co.admin.email);
  await again.agent.post('/api/v1/auth/login/mfa').send({ recoveryCode: codes[0] }).expect(401);
  expect((await first.agent.get('/api/v1/me/mfa').expect(200)).body.recoveryCodesLeft).toBe(9);

  const wrong = await first.agent.post('/api/v1/me/mfa/recovery-codes').send({ password: 'not it' }).expect(400);
  expect(fieldsOf(wrong)).toEqual(['password']);
  const fresh = await first.agent.post('/api/v1/me/mfa/recovery-codes').send({ password: USER_PASSWORD }).expect(200);
  expect(fresh.body.recoveryCodes).toHaveLength(10);
  const newCodes = fresh.body.recoveryCodes as string[];
  await again.agent.post('/api/v1/auth/login/mfa').send({ recoveryCode: codes[1] }).expect(401);

  // Spend all but two of the new codes: the last spend warns by email.
  const lowBefore = await ctx.mailbox.count(co.admin.email, SUBJECT.low);
  for (const code of newCodes.slice(0, 8)) {
    const step = await passwordStep(ctx, co.admin.email);
    await step.agent.post('/api/v1/auth/login/mfa').send({ recoveryCode: code }).expect(200);
  }
  const warning = await nextMail(ctx, co.admin.email, SUBJECT.low, lowBefore);
  expect(warning.text).toContain('You have 2 recovery code(s) left');
  expect((await first.agent.get('/api/v1/me/mfa').expect(200)).body.recoveryCodesLeft).toBe(2);
}

/**
 * Text message and email methods: codes through the SMS gateway and by mail, duplicates and
 * resends refused, default switching, "try another way", expiry and the tries limit.
 */
export async function smsAndEmail(ctx: TwoFactorContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'sms');
  const me = co.admin.agent;
  const phone = '+49301234567';

  const bad = await me.post('/api/v1/me/mfa/sms').send({ phone: '12345' }).expect(400);
  expect(fieldsOf(bad)).toEqual(['phone']);
  let texts = smsCount(ctx, phone);
  const sms = await me.post('/api/v1/me/mfa/sms').send({ phone: '+49 30 1234567' }).expect(201);
  const smsCode = await nextSmsCode(ctx, phone, texts++);
  // A resend within 30 seconds is refused with Retry-After; later it voids the first code.
  const tooSoon = await me.post(`/api/v1/me/mfa/${sms.body.methodId}/resend`).expect(429);
  expect(Number(tooSoon.headers['retry-after'])).toBeGreaterThan(0);
  ctx.clock.advance(31_000);
  await me.post(`/api/v1/me/mfa/${sms.body.methodId}/resend`).expect(202);
  const smsCode2 = await nextSmsCode(ctx, phone, texts++);
  if (smsCode2 !== smsCode)
    await me.post(`/api/v1/me/mfa/${sms.body.methodId}/confirm`).send({ code: smsCode }).expect(400);
  const smsConfirmed = await me
    .post(`/api/v1/me/mfa/${sms.body.methodId}/confirm`)
    .send({ code: smsCode2 })
    .expect(200);
  expect(smsConfirmed.body).toMatchObject({ kind: 'sms', isDefault: true, hint: 'Text message to +49 ••• 4567' });
  expect(smsConfirmed.body.recoveryCodes).toHaveLength(10);
  // The same number twice is refused.
  await me.post('/api/v1/me/mfa/sms').send({ phone }).expect(409);

  const second = `second-factor@${co.admin.email.split('@')[1]}`;
  const badEmail = await me.post('/api/v1/me/mfa/email').send({ email: 'nope' }).expect(400);
  expect(fieldsOf(badEmail)).toEqual(['email']);
  let codeMails = await ctx.mailbox.count(second, SUBJECT.code);
  const email = await me.post('/api/v1/me/mfa/email').send({ email: second.toUpperCase() }).expect(201);
  const emailCode = codeIn(await nextMail(ctx, second, SUBJECT.code, codeMails++));
  const emailConfirmed = await me
    .post(`/api/v1/me/mfa/${email.body.methodId}/confirm`)
    .send({ code: emailCode })
    .expect(200);
  expect(emailConfirmed.body).toMatchObject({ kind: 'email', isDefault: false });
  expect(emailConfirmed.body.recoveryCodes).toBeUndefined();
  const listed = (await me.get('/api/v1/me/mfa').expect(200)).body;
  expect(listed.methods.map((m: { kind: string; isDefault: boolean }) => [m.kind, m.isDefault])).toEqual([
    ['sms', true],
    ['email', false],
  ]);

  // Sign-in: the default (SMS) code is texted at once; "try another way" mails one.
  ctx.clock.advance(31_000);
  const step = await passwordStep(ctx, co.admin.email);
  expect(step.res.body.methods.map((m: { kind: string }) => m.kind)).toEqual(['sms', 'email']);
  const signInSms = await nextSmsCode(ctx, phone, texts++);
  await step.agent.post('/api/v1/auth/login/mfa/send').send({ methodId: email.body.methodId }).expect(202);
  const signInMail = await nextMail(ctx, second, SUBJECT.code, codeMails++);
  expect(signInMail.text).toContain('sign in to LMP');
  // Codes belong to their method.
  await step.agent
    .post('/api/v1/auth/login/mfa')
    .send({ methodId: sms.body.methodId, code: codeIn(signInMail) })
    .expect(401);
  await step.agent
    .post('/api/v1/auth/login/mfa')
    .send({ methodId: email.body.methodId, code: codeIn(signInMail) })
    .expect(200);
  void signInSms;

  // Default switching: the email method's code is now sent by itself.
  const switched = await me.post(`/api/v1/me/mfa/${email.body.methodId}/default`).expect(200);
  expect(switched.body).toMatchObject({ id: email.body.methodId, isDefault: true });
  ctx.clock.advance(31_000);
  const textsBefore = smsCount(ctx, phone);
  const third = await passwordStep(ctx, co.admin.email);
  const autoMail = await nextMail(ctx, second, SUBJECT.code, codeMails++);
  await ctx.settle();
  expect(smsCount(ctx, phone)).toBe(textsBefore);
  // An expired code is refused.
  ctx.clock.advance(11 * 60_000);
  await third.agent
    .post('/api/v1/auth/login/mfa')
    .send({ methodId: email.body.methodId, code: codeIn(autoMail) })
    .expect(401);

  // Five wrong codes void the code: even the right one is then refused.
  const fourth = await passwordStep(ctx, co.admin.email);
  const mailed = codeIn(await nextMail(ctx, second, SUBJECT.code, codeMails++));
  const wrong = mailed === '000000' ? '111111' : '000000';
  for (let i = 0; i < 4; i++)
    await fourth.agent.post('/api/v1/auth/login/mfa').send({ methodId: email.body.methodId, code: wrong }).expect(401);
  const fifth = await passwordStep(ctx, co.admin.email);
  await fifth.agent.post('/api/v1/auth/login/mfa').send({ methodId: email.body.methodId, code: wrong }).expect(401);
  await fifth.agent.post('/api/v1/auth/login/mfa').send({ methodId: email.body.methodId, code: mailed }).expect(401);

  // Removing needs the password; the last method stays (Turn Off is the way).
  const wrongPw = await me.delete(`/api/v1/me/mfa/${email.body.methodId}`).send({ password: 'guess' }).expect(400);
  expect(fieldsOf(wrongPw)).toEqual(['password']);
  await me.delete(`/api/v1/me/mfa/${email.body.methodId}`).send({ password: USER_PASSWORD }).expect(204);
  const left = (await me.get('/api/v1/me/mfa').expect(200)).body;
  expect(left.methods).toEqual([expect.objectContaining({ kind: 'sms', isDefault: true })]);
  const last = await me.delete(`/api/v1/me/mfa/${sms.body.methodId}`).send({ password: USER_PASSWORD }).expect(409);
  expect(last.body.detail).toMatch(/only two-factor method/);

  // Another user's method is not found, whatever the route.
  const other = await companyWithAdmin(ctx.app, 'smsx');
  await other.admin.agent.post(`/api/v1/me/mfa/${sms.body.methodId}/default`).expect(404);
  await other.admin.agent.delete(`/api/v1/me/mfa/${sms.body.methodId}`).send({ password: USER_PASSWORD }).expect(404);
  await other.admin.agent.post(`/api/v1/me/mfa/${sms.body.methodId}/confirm`).send({ code: '123456' }).expect(404);
  await other.admin.agent.post(`/api/v1/me/mfa/${sms.body.methodId}/resend`).expect(404);
  await other.admin.agent.post('/api/v1/me/mfa/not-a-uuid/default').expect(404);
}

/** Turn Off: the password is required; every method goes, other sessions end, a notice is mailed. */
export async function turnOff(ctx: TwoFactorContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'off');
  const { secret, methodId } = await enableTotp(ctx, co.admin.agent);
  const other = await passwordStep(ctx, co.admin.email);
  await other.agent
    .post('/api/v1/auth/login/mfa')
    .send({ methodId, code: nextTotp(ctx, secret) })
    .expect(200);

  const wrong = await co.admin.agent.post('/api/v1/me/mfa/disable').send({ password: 'not it' }).expect(400);
  expect(fieldsOf(wrong)).toEqual(['password']);
  expect((await co.admin.agent.get('/api/v1/me/mfa').expect(200)).body.enabled).toBe(true);
  const before = await ctx.mailbox.count(co.admin.email, SUBJECT.disabled);
  await co.admin.agent.post('/api/v1/me/mfa/disable').send({ password: USER_PASSWORD }).expect(204);
  expect((await co.admin.agent.get('/api/v1/me/mfa').expect(200)).body).toEqual({
    enabled: false,
    methods: [],
    recoveryCodesLeft: 0,
  });
  await other.agent.get('/api/v1/auth/session').expect(401);
  const mail = await nextMail(ctx, co.admin.email, SUBJECT.disabled, before);
  expect(mail.text).toContain('Two-factor authentication has been disabled');
  // The password alone signs in again.
  const signedIn = await passwordStep(ctx, co.admin.email);
  expect(signedIn.res.body).toMatchObject({ user: { email: co.admin.email }, mfaPassed: true });
}

/** A password reset never skips the second factor; wrong codes count toward the account lockout. */
export async function resetAndLockout(ctx: TwoFactorContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'lock');
  const { secret, methodId } = await enableTotp(ctx, co.admin.agent);

  const resets = await ctx.mailbox.count(co.admin.email, 'Reset your password');
  await api(ctx.app).post('/api/v1/auth/forgot-password').send({ email: co.admin.email }).expect(202);
  const link = linkIn(await nextMail(ctx, co.admin.email, 'Reset your password', resets), '/reset-password');
  const newPassword = 'a fresh reset passphrase';
  await api(ctx.app)
    .post('/api/v1/auth/reset-password')
    .send({ token: tokenOf(link), password: newPassword })
    .expect(200);
  const after = await passwordStep(ctx, co.admin.email, newPassword);
  expect(after.res.body.mfaRequired).toBe(true);
  expect(cookieValue(after.res, 'lmp_session')).toBeUndefined();

  // Ten wrong codes (a pending sign-in ends after five) lock the account, password and all.
  const locks = await ctx.mailbox.count(co.admin.email, SUBJECT.locked);
  for (let round = 0; round < 2; round++) {
    const step = await passwordStep(ctx, co.admin.email, newPassword);
    for (let i = 0; i < 5; i++)
      await step.agent.post('/api/v1/auth/login/mfa').send({ methodId, code: '000000' }).expect(401);
    // The pending sign-in has ended: even a right code is refused now.
    await step.agent
      .post('/api/v1/auth/login/mfa')
      .send({ methodId, code: totpCode(secret, ctx.clock.now()) })
      .expect(401);
  }
  await nextMail(ctx, co.admin.email, SUBJECT.locked, locks);
  await api(ctx.app).post('/api/v1/auth/login').send({ email: co.admin.email, password: newPassword }).expect(401);
}

/**
 * The partner policy: staff without 2FA reach only the set-up until they finish it; they cannot
 * turn it off; only partner admins change the policy; customers are not held to it.
 */
export async function partnerStaffPolicy(ctx: TwoFactorContext): Promise<void> {
  const { agent: admin, adminEmail } = await partnerWithAdmin(ctx.app, undefined, { requireStaffMfa: true });
  const held = await admin.get('/api/v1/partner/customers').expect(403);
  expect(held.body).toMatchObject({ type: '/problems/mfa-setup-required', status: 403 });
  for (const path of ['/api/v1/me/profile', '/api/v1/partner/settings', '/api/v1/me/sessions'])
    await admin.get(path).expect(403);
  expect((await admin.get('/api/v1/auth/session').expect(200)).body).toMatchObject({ mfaSetupRequired: true });
  expect((await admin.get('/api/v1/me/mfa').expect(200)).body.enabled).toBe(false);

  const { secret, methodId } = await enableTotp(ctx, admin);
  await admin.get('/api/v1/partner/customers').expect(200);
  expect((await admin.get('/api/v1/auth/session').expect(200)).body.mfaSetupRequired).toBeUndefined();
  const refused = await admin.post('/api/v1/me/mfa/disable').send({ password: 'partner admin passphrase' }).expect(409);
  expect(refused.body.detail).toMatch(/requires two-factor authentication/);

  // Next sign-in asks for the code as for anyone with 2FA.
  const step = await passwordStep(ctx, adminEmail, 'partner admin passphrase');
  expect(step.res.body.mfaRequired).toBe(true);
  await step.agent
    .post('/api/v1/auth/login/mfa')
    .send({ methodId, code: nextTotp(ctx, secret) })
    .expect(200);

  // The policy is the partner admin's to change.
  expect((await admin.get('/api/v1/partner/settings').expect(200)).body).toMatchObject({ requireStaffMfa: true });
  const bad = await admin.patch('/api/v1/partner/settings').send({ requireStaffMfa: 'yes' }).expect(400);
  expect(fieldsOf(bad)).toEqual(['requireStaffMfa']);
  expect(
    (await admin.patch('/api/v1/partner/settings').send({ requireStaffMfa: false }).expect(200)).body,
  ).toMatchObject({
    requireStaffMfa: false,
  });
  const audit = await admin.get('/api/v1/partner/audit?action=partner.settings.changed').expect(200);
  expect(audit.body.items[0]).toMatchObject({ action: 'partner.settings.changed' });

  // Customers of a partner with the policy are not held to it.
  const policy = await partnerWithAdmin(ctx.app, undefined, { requireStaffMfa: true });
  await enableTotp(ctx, policy.agent);
  const c = await policy.agent
    .post('/api/v1/partner/customers')
    .send({ companyName: 'Policy Co', country: 'DE' })
    .expect(201);
  const user = await insertUser(ctx.app, c.body.id as string, `u@${c.body.id as string}.example.com`, 'full_access');
  const customer = await signIn(ctx.app, user.email, USER_PASSWORD);
  await customer.get('/api/v1/me/profile').expect(200);
}

/** A key that no longer decrypts (DATA_ENCRYPTION_KEY changed): codes are refused, not a 500; recovery codes work. */
export async function undecryptableKey(ctx: TwoFactorContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'key');
  const { secret, methodId, recoveryCodes: codes } = await enableTotp(ctx, co.admin.agent);
  const other = new SecretBox(randomBytes(32));
  await ctx.app
    .get(DataSource)
    .getRepository(MfaMethod)
    .update({ id: methodId }, { secret: other.seal(secret, `mfa:${co.admin.id}:${methodId}`) });
  const step = await passwordStep(ctx, co.admin.email);
  await step.agent
    .post('/api/v1/auth/login/mfa')
    .send({ methodId, code: nextTotp(ctx, secret) })
    .expect(401);
  await step.agent.post('/api/v1/auth/login/mfa').send({ recoveryCode: codes[0] }).expect(200);
}

/** A user who lost every factor: the partner admin turns 2FA off; the user is signed out and told. */
export async function partnerTurnsOff(ctx: TwoFactorContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'lost');
  await enableTotp(ctx, co.admin.agent);
  const url = `/api/v1/partner/customers/${co.customerId}/accounts/${co.admin.id}/mfa/reset`;
  const before = await ctx.mailbox.count(co.admin.email, SUBJECT.disabled);

  const res = await co.partnerAgent.post(url).expect(200);
  expect(res.body).toMatchObject({ id: co.admin.id, mfaEnabled: false });
  await co.admin.agent.get('/api/v1/auth/session').expect(401);
  const mail = await nextMail(ctx, co.admin.email, SUBJECT.disabled, before);
  expect(mail.text).toMatch(/disabled for your LMP account on .* by Partner lost/);
  const signedIn = await passwordStep(ctx, co.admin.email);
  expect(signedIn.res.body).toMatchObject({ user: { email: co.admin.email }, mfaPassed: true });
  expect((await signedIn.agent.get('/api/v1/me/mfa').expect(200)).body).toEqual({
    enabled: false,
    methods: [],
    recoveryCodesLeft: 0,
  });

  // Only when it is on; recorded in the partner's trail.
  await co.partnerAgent.post(url).expect(409);
  const audit = await co.partnerAgent.get('/api/v1/partner/audit?action=account.mfa.reset_by_partner').expect(200);
  expect(audit.body.items).toEqual([expect.objectContaining({ targetUserId: co.admin.id, detail: { methods: 1 } })]);
}

/**
 * Sudo mode: with 2FA on, adding, confirming or making default a method needs the password or a
 * current code within the last 10 minutes (sign-in counts); removing, new recovery codes and
 * turning off take the password in the request, as before.
 */
export async function recentReauth(ctx: TwoFactorContext): Promise<void> {
  const co = await companyWithAdmin(ctx.app, 'sudo');
  const me = co.admin.agent;
  const { secret, methodId } = await enableTotp(ctx, me);
  const second = `sudo-second@${co.admin.email.split('@')[1]}`;
  // Fresh from sign-in: within the window.
  let codeMails = await ctx.mailbox.count(second, SUBJECT.code);
  const pending = await me.post('/api/v1/me/mfa/email').send({ email: second }).expect(201);
  const firstCode = codeIn(await nextMail(ctx, second, SUBJECT.code, codeMails++));

  // Eleven minutes later the session alone no longer changes sign-in methods.
  ctx.clock.advance(11 * 60_000);
  const refused = await me
    .post(`/api/v1/me/mfa/${pending.body.methodId}/confirm`)
    .send({ code: firstCode })
    .expect(403);
  expect(refused.body).toMatchObject({ type: '/problems/reauth-required', status: 403 });
  await me.post('/api/v1/me/mfa/totp').expect(403);
  await me.post('/api/v1/me/mfa/sms').send({ phone: '+49301234568' }).expect(403);
  await me.post(`/api/v1/me/mfa/${methodId}/default`).expect(403);
  expect((await me.get('/api/v1/me/mfa').expect(200)).body.methods).toHaveLength(1);

  // A wrong password or code does not open the window; a current code does.
  const wrong = await me.post('/api/v1/me/reauth').send({ password: 'not it' }).expect(400);
  expect(fieldsOf(wrong)).toEqual(['password']);
  await me.post('/api/v1/me/reauth').send({ methodId, code: '000000' }).expect(400);
  await me.post('/api/v1/me/mfa/totp').expect(403);
  await me
    .post('/api/v1/me/reauth')
    .send({ methodId, code: nextTotp(ctx, secret) })
    .expect(204);
  ctx.clock.advance(31_000);
  await me.post(`/api/v1/me/mfa/${pending.body.methodId}/resend`).expect(202);
  const code = codeIn(await nextMail(ctx, second, SUBJECT.code, codeMails++));
  await me.post(`/api/v1/me/mfa/${pending.body.methodId}/confirm`).send({ code }).expect(200);

  // Again later: the password opens it too.
  ctx.clock.advance(11 * 60_000);
  await me.post(`/api/v1/me/mfa/${pending.body.methodId}/default`).expect(403);
  await me.post('/api/v1/me/reauth').send({ password: USER_PASSWORD }).expect(204);
  await me.post(`/api/v1/me/mfa/${pending.body.methodId}/default`).expect(200);

  // And a code sent for the purpose to the email method.
  ctx.clock.advance(11 * 60_000);
  await me.post('/api/v1/me/mfa/totp').expect(403);
  await me.post('/api/v1/me/reauth/send').send({ methodId }).expect(400);
  await me.post('/api/v1/me/reauth/send').send({ methodId: pending.body.methodId }).expect(202);
  const reauthMail = await nextMail(ctx, second, SUBJECT.code, codeMails++);
  expect(reauthMail.text).toContain('confirm that it is you');
  await me
    .post('/api/v1/me/reauth')
    .send({ methodId: pending.body.methodId, code: codeIn(reauthMail) })
    .expect(204);
  await me.post('/api/v1/me/mfa/totp').expect(201);

  // Removing takes the password in the request: that is the re-authentication.
  ctx.clock.advance(11 * 60_000);
  await me.delete(`/api/v1/me/mfa/${pending.body.methodId}`).send({ password: USER_PASSWORD }).expect(204);
  await me.post('/api/v1/me/mfa/totp').expect(201);

  // A fresh sign-in with the second factor is within the window.
  ctx.clock.advance(11 * 60_000);
  const step = await passwordStep(ctx, co.admin.email);
  await step.agent
    .post('/api/v1/auth/login/mfa')
    .send({ methodId, code: nextTotp(ctx, secret) })
    .expect(200);
  await step.agent.post('/api/v1/me/mfa/totp').expect(201);
}

/** Every scenario, named, for the e2e (embedded) and integration (production path) suites. */
export const TWO_FACTOR_FLOWS: Array<Flow<TwoFactorContext>> = [
  {
    name: 'sets up the authenticator app and signs in with a code; replays and the pending sign-in get nothing',
    run: authenticatorApp,
  },
  { name: 'signs in with a recovery code once; regenerates them; warns when few are left', run: recoveryCodes },
  { name: 'sets up text message and email methods, switches the default and signs in with either', run: smsAndEmail },
  { name: 'turns 2FA off with the password: methods gone, other sessions ended, a notice mailed', run: turnOff },
  { name: 'keeps the second factor after a password reset; wrong codes lock the account', run: resetAndLockout },
  { name: 'holds partner staff to the set-up when their partner requires 2FA', run: partnerStaffPolicy },
  { name: 'refuses codes of a key that no longer decrypts, and still takes recovery codes', run: undecryptableKey },
  { name: 'lets the partner admin turn 2FA off for a user who lost every factor', run: partnerTurnsOff },
  { name: 'asks for the password or a current code again before sign-in methods change', run: recentReauth },
];
