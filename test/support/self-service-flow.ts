import { INestApplication } from '@nestjs/common';
import { ProvisioningService } from '@lmp/tenancy';
import request from 'supertest';
import { Mailbox } from './core-flow';
import { TestClock } from './console-app';
import { Flow } from './flows';
import { linkIn, tokenOf } from './mail';
import { api, signIn } from './http';

export interface SelfServiceContext {
  app: INestApplication;
  mailbox: Mailbox;
  clock: TestClock;
  /** Lets work done after a response (and in-process delivery) finish. */
  settle(): Promise<void>;
}

const VERIFY = 'Verify your email address';
const RESET = 'Reset your password';

/** An IP of its own for each scenario, so that per-IP limits of one do not touch another. */
let ipSeq = 10;
export const freshIp = () => `203.0.113.${ipSeq++}`;

/** Sign up → verification mail → sign in with the banner → resend → verify → banner gone. */
export async function signupAndVerify(ctx: SelfServiceContext, email: string): Promise<void> {
  const ip = freshIp();
  const res = await api(ctx.app)
    .post('/api/v1/auth/signup')
    .set('X-Forwarded-For', ip)
    .send({
      email: email.toUpperCase(),
      password: 'my own long passphrase',
      firstName: 'Sam',
      lastName: 'Self',
      userType: 'company',
      companyName: 'Self Made Ltd',
    })
    .expect(202);
  expect(res.body).toEqual({});
  await ctx.settle();
  const first = await ctx.mailbox.waitFor(email, VERIFY);

  const agent = await signIn(ctx.app, email, 'my own long passphrase');
  const session = await agent.get('/api/v1/auth/session').expect(200);
  expect(session.body).toMatchObject({
    emailVerified: false,
    user: { role: 'full_access' },
    customer: { companyName: 'Self Made Ltd' },
  });
  const home = await agent.get('/').expect(200);
  expect(home.text).toContain('Your email address is not verified.');
  expect(home.text).toContain('Resend verification email');

  await api(ctx.app)
    .post('/api/v1/auth/resend-verification')
    .set('X-Forwarded-For', ip)
    .send({ email })
    .expect(202, {});
  await ctx.settle();
  await waitForCount(ctx, email, VERIFY, 2);
  const second = await ctx.mailbox.waitFor(email, VERIFY);
  expect(tokenOf(linkIn(second, '/verify-email'))).not.toBe(tokenOf(linkIn(first, '/verify-email')));

  // The link opens a page with a button and spends nothing; the older link is void.
  const newest = linkIn(second, '/verify-email');
  const page = await api(ctx.app)
    .get(new URL(newest).pathname + new URL(newest).search)
    .expect(200);
  expect(page.text).toContain('Verify email address');
  await api(ctx.app)
    .post('/api/v1/auth/verify-email')
    .send({ token: tokenOf(linkIn(first, '/verify-email')) })
    .expect(400);
  await api(ctx.app)
    .post('/api/v1/auth/verify-email')
    .send({ token: tokenOf(newest) })
    .expect(200, { status: 'verified', email });
  await api(ctx.app)
    .post('/api/v1/auth/verify-email')
    .send({ token: tokenOf(newest) })
    .expect(400);

  const after = await agent.get('/api/v1/auth/session').expect(200);
  expect(after.body.emailVerified).toBe(true);
  expect((await agent.get('/').expect(200)).text).not.toContain('Your email address is not verified.');
}

/** A second sign-up with a taken address answers the same and tells the owner instead. */
export async function duplicateSignup(ctx: SelfServiceContext, email: string): Promise<void> {
  const body = { email, password: 'somebody else entirely', firstName: 'Eve', lastName: 'Dup', userType: 'personal' };
  const res = await api(ctx.app).post('/api/v1/auth/signup').set('X-Forwarded-For', freshIp()).send(body).expect(202);
  expect(res.body).toEqual({});
  await ctx.settle();
  await ctx.mailbox.waitFor(email, 'Someone tried to sign up with your email address');
  await api(ctx.app).post('/api/v1/auth/login').send({ email, password: 'somebody else entirely' }).expect(401);
}

/** Forgot password: the same answer for known (any case) and unknown addresses; mail only for the known. */
export async function forgotPassword(ctx: SelfServiceContext, email: string): Promise<void> {
  const ip = freshIp();
  const unknownEmail = `nobody-${Date.now()}@nowhere.example.com`;
  const answers: request.Response[] = [];
  for (const address of [email.toUpperCase(), unknownEmail]) {
    answers.push(
      await api(ctx.app)
        .post('/api/v1/auth/forgot-password')
        .set('X-Forwarded-For', ip)
        .send({ email: address })
        .expect(202),
    );
  }
  expect(answers[0].body).toEqual(answers[1].body);
  expect(answers[0].headers['content-type']).toBe(answers[1].headers['content-type']);
  await ctx.settle();
  const mail = await ctx.mailbox.waitFor(email, RESET);
  expect(await ctx.mailbox.count(unknownEmail, RESET)).toBe(0);
  const token = tokenOf(linkIn(mail, '/reset-password'));
  const weak = await api(ctx.app)
    .post('/api/v1/auth/reset-password')
    .send({ token, password: 'password123' })
    .expect(400);
  expect(weak.body.errors).toEqual([
    { field: 'password', message: 'is too common: it appears in lists of leaked passwords' },
  ]);
  await api(ctx.app)
    .post('/api/v1/auth/reset-password')
    .send({ token, password: 'recovered long passphrase' })
    .expect(200);
  await signIn(ctx.app, email, 'recovered long passphrase');
}

/** Ten wrong passwords lock the account; even the right one is refused until the lock ends. */
export async function lockout(ctx: SelfServiceContext, email: string, password: string): Promise<void> {
  const ip = freshIp();
  const attempt = (pw: string) =>
    api(ctx.app).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password: pw });
  for (let i = 0; i < 10; i++) expect((await attempt(`wrong guess ${i}`)).status).toBe(401);
  await ctx.settle();
  const locked = await ctx.mailbox.waitFor(email, 'Your account is locked for a while');
  expect(locked.text).toContain('paused for 1 minute');
  const refused = await attempt(password);
  expect(refused.status).toBe(401);
  expect(refused.body).toEqual((await attempt('another wrong guess')).body);

  ctx.clock.advance(61_000);
  expect((await attempt(password)).status).toBe(200);
  // A success resets the count: one more failure does not lock again.
  expect((await attempt('wrong again')).status).toBe(401);
  expect((await attempt(password)).status).toBe(200);
  ctx.clock.advance(-61_000);
}

/** Per-IP limits answer 429 with Retry-After; a browser that signed in before is not held back. */
export async function ipLimits(ctx: SelfServiceContext, email: string, password: string): Promise<void> {
  const ip = freshIp();
  for (let i = 0; i < 5; i++) {
    await api(ctx.app)
      .post('/api/v1/auth/forgot-password')
      .set('X-Forwarded-For', ip)
      .send({ email: `x${i}@example.com` })
      .expect(202);
  }
  const limited = await api(ctx.app)
    .post('/api/v1/auth/forgot-password')
    .set('X-Forwarded-For', ip)
    .send({ email: 'x@example.com' });
  expect(limited.status).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect(limited.headers['content-type']).toContain('application/problem+json');

  // A known browser: its device cookie comes from an earlier sign-in.
  const office = freshIp();
  const known = request.agent(ctx.app.getHttpServer());
  await known.post('/api/v1/auth/login').set('X-Forwarded-For', office).send({ email, password }).expect(200);
  for (let i = 0; i < 20; i++) {
    const res = await api(ctx.app)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', office)
      .send({ email: `spray${i}@example.com`, password: 'guess' });
    expect(res.status).toBe(401);
  }
  const blocked = await api(ctx.app)
    .post('/api/v1/auth/login')
    .set('X-Forwarded-For', office)
    .send({ email, password });
  expect(blocked.status).toBe(429);
  expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  await known.post('/api/v1/auth/login').set('X-Forwarded-For', office).send({ email, password }).expect(200);
}

/** Weak, common, too long and e-mail-like passwords are refused with field errors, and nothing is created. */
export async function weakPasswords(ctx: SelfServiceContext): Promise<void> {
  const base = { firstName: 'Wes', lastName: 'Weak', userType: 'personal' };
  const cases: Array<[string, string, string]> = [
    ['short1@example.com', 'short', 'must be at least 8 characters'],
    ['common1@example.com', 'iloveyou', 'is too common: it appears in lists of leaked passwords'],
    ['long1@example.com', 'x'.repeat(129), 'must be at most 128 characters'],
    ['same1@example.com', 'SAME1@example.com', 'must not be your email address'],
  ];
  for (const [email, password, message] of cases) {
    const res = await api(ctx.app)
      .post('/api/v1/auth/signup')
      .set('X-Forwarded-For', freshIp())
      .send({ ...base, email, password })
      .expect(400);
    expect(res.body).toMatchObject({ type: '/problems/validation', errors: [{ field: 'password', message }] });
  }
  const bad = await api(ctx.app)
    .post('/api/v1/auth/signup')
    .set('X-Forwarded-For', freshIp())
    .send({ email: 'nope', userType: 'robot' })
    .expect(400);
  expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(
    expect.arrayContaining(['email', 'password', 'firstName', 'lastName', 'userType']),
  );
  await ctx.settle();
  expect(await ctx.mailbox.count('short1@example.com', VERIFY)).toBe(0);
}

async function waitForCount(ctx: SelfServiceContext, to: string, subject: string, n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await ctx.mailbox.count(to, subject)) < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} "${subject}" mails to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const operator = (ctx: SelfServiceContext, email: string, password: string) =>
  ctx.app.get(ProvisioningService).createPlatformAdmin({ email, password });

/** The self-service flows, the same on every stack. */
export const SELF_SERVICE_FLOWS: Array<Flow<SelfServiceContext>> = [
  {
    name: 'signs up, verifies the address, and the banner goes',
    run: (ctx) => signupAndVerify(ctx, 'sam@selfmade.example.com'),
  },
  {
    name: 'answers a duplicate sign-up the same and tells the owner',
    run: (ctx) => duplicateSignup(ctx, 'sam@selfmade.example.com'),
  },
  {
    name: 'resets a forgotten password without telling which addresses exist',
    run: (ctx) => forgotPassword(ctx, 'sam@selfmade.example.com'),
  },
  {
    name: 'locks an account after ten failures, for a minute',
    run: async (ctx) => {
      await operator(ctx, 'lock@lmp.example.com', 'operator passphrase');
      await lockout(ctx, 'lock@lmp.example.com', 'operator passphrase');
    },
  },
  {
    name: 'limits requests per IP with 429 and Retry-After, but not a known browser',
    run: async (ctx) => {
      await operator(ctx, 'office@lmp.example.com', 'office passphrase');
      await ipLimits(ctx, 'office@lmp.example.com', 'office passphrase');
    },
  },
  { name: 'refuses weak, common, too long and invalid input with field errors', run: weakPasswords },
];
