import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditEvent, User } from '@lmp/database';
import { LOCK_AFTER_FAILURES } from '@lmp/identity';
import { ProvisioningService } from '@lmp/tenancy';
import { TestClock } from './console-app';
import { Mailbox } from './core-flow';
import { api } from './http';

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
    const deadline = Date.now() + 15_000;
    while ((await ctx.mailbox.count(email, LOCKED)) < 2 && Date.now() < deadline) await ctx.settle();
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
 * address sign in at once and all get in, and the address can still fail 20 times before it is
 * paused.
 */
export async function parallelGoodSignIns(ctx: ConcurrencyContext): Promise<void> {
  const password = 'busy office passphrase';
  const emails = Array.from({ length: 30 }, (_, i) => `busy${i}@lmp.example.com`);
  for (const email of emails) await ctx.app.get(ProvisioningService).createPlatformAdmin({ email, password });
  const ip = uniqueIp();
  const good = await all(30, (i) =>
    api(ctx.app).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: emails[i], password }),
  );
  expect(statuses(good)).toEqual({ 200: 30 });
  for (const email of emails) expect((await userByEmail(ctx.app, email)).failedLogins).toBe(0);
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

export const CONCURRENCY_SCENARIOS: Array<[string, (ctx: ConcurrencyContext) => Promise<void>]> = [
  ['parallel wrong passwords cannot outrun the lockout; the right one is then refused', parallelLockout],
  ['40 parallel failures from one address: 20 are checked, the rest get 429', parallelIpLimit],
  ['parallel right passwords of one office do not use up the failure limit of its address', parallelGoodSignIns],
];
