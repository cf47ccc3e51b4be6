import TestAgent from 'supertest/lib/agent';
import { LicenseNoticesService } from '@lmp/notifications';
import { partnerWithAdmin } from '../support/fixtures';
import { RunningConsole, startConsole } from '../support/console-app';
import { linkIn, mailsTo, tokenOf } from '../support/mail';
import { api, signIn } from '../support/http';
import { formToken, supportUser } from '../support/partner-console';
import { verifyEvent, WebhookReceiver } from '../support/webhook-receiver';

const ALL_EVENTS = ['customer.created', 'customer.changed', 'account.created', 'account.changed'];
const RESET_EVENTS = ['password_reset.requested', 'password_reset.sent', 'password_reset.used'];

/**
 * Signed webhooks on the embedded console: a receiver in the test gets the partner's events,
 * verifies them with a Standard Webhooks library, and sees retries, dead deliveries and a
 * webhook disabled after failing again and again.
 */
describe('partner webhooks', () => {
  let sut: RunningConsole;
  let receiver: WebhookReceiver;
  let url: string;
  let admin: TestAgent;
  let adminEmail: string;
  let partnerId: string;

  beforeAll(async () => {
    sut = await startConsole({
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '20ms,40ms',
      WEBHOOK_DISABLE_AFTER_DEAD: '2',
    });
    receiver = new WebhookReceiver();
    url = await receiver.start();
    ({ agent: admin, adminEmail, partnerId } = await partnerWithAdmin(sut.app, 'hooks'));
  });

  afterAll(async () => {
    await sut?.close();
    await receiver?.stop();
  });

  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answers = [];
    receiver.always = null;
  });

  async function createWebhook(events: string[], agent = admin) {
    const res = await agent.post('/api/v1/partner/webhooks').send({ url, events }).expect(201);
    return res.body as { id: string; url: string; events: string[]; secret: string };
  }

  async function newCustomer(name: string): Promise<string> {
    const res = await admin.post('/api/v1/partner/customers').send({ companyName: name, country: 'DE' }).expect(201);
    return res.body.id as string;
  }

  it('creates a webhook whose secret is shown once, and delivers signed events that verify', async () => {
    const hook = await createWebhook(ALL_EVENTS);
    expect(hook).toMatchObject({ url, events: ALL_EVENTS });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const shown = await admin.get(`/api/v1/partner/webhooks/${hook.id}`).expect(200);
    expect(shown.body).toMatchObject({ id: hook.id, url, events: ALL_EVENTS, enabled: true });
    expect(JSON.stringify(shown.body)).not.toContain(hook.secret.slice(6));

    const customerId = await newCustomer('Hooked GmbH');
    const account = await admin
      .post(`/api/v1/partner/customers/${customerId}/accounts`)
      .send({ email: 'ada@hooked.example.com', firstName: 'Ada', lastName: 'L', role: 'full_access' })
      .expect(201);
    await admin.patch(`/api/v1/partner/customers/${customerId}`).send({ companyName: 'Hooked AG' }).expect(200);
    await sut.settle();

    const types = receiver.received.map((r) => r.event.type).sort();
    expect(types).toEqual(['account.created', 'customer.changed', 'customer.created']);
    for (const r of receiver.received) {
      expect(verifyEvent(hook.secret, r)).toEqual(r.event);
      expect(r.headers['webhook-id']).toBe(r.event.id);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toMatch(/^LMP/);
      expect(r.event.partnerId).toBe(partnerId);
    }
    expect(() => verifyEvent('whsec_' + Buffer.alloc(32, 1).toString('base64'), receiver.received[0])).toThrow();
    expect(receiver.ofType('account.created')[0].event.data).toMatchObject({
      accountId: account.body.id,
      customerId,
      email: 'ada@hooked.example.com',
      role: 'full_access',
    });
    expect(receiver.ofType('customer.changed')[0].event.data).toMatchObject({
      customerId,
      companyName: 'Hooked AG',
      changed: ['companyName'],
    });
    await admin.delete(`/api/v1/partner/webhooks/${hook.id}`).expect(204);
  });

  it('raises the reset events: requested, sent, and used when the account owner sets a password', async () => {
    const hook = await createWebhook(RESET_EVENTS);
    const customerId = await newCustomer('Reset Co');
    const account = await admin
      .post(`/api/v1/partner/customers/${customerId}/accounts`)
      .send({ email: 'owner@reset.example.com', firstName: 'Owen', lastName: 'R', role: 'full_access' })
      .expect(201);
    const reset = await admin
      .post(`/api/v1/partner/customers/${customerId}/accounts/${account.body.id}/password-reset`)
      .expect(202);
    await sut.settle();
    const [mail] = await mailsTo(sut.dataDir, 'owner@reset.example.com', 'Reset your password');
    await api(sut.app)
      .post('/api/v1/auth/reset-password')
      .send({ token: tokenOf(linkIn(mail, '/reset-password')), password: 'a brand new passphrase' })
      .expect(200);
    await sut.settle();

    expect(receiver.received.map((r) => r.event.type).sort()).toEqual([...RESET_EVENTS].sort());
    const expected = { requestId: reset.body.requestId, accountId: account.body.id, customerId };
    for (const r of receiver.received) {
      expect(r.event.data).toMatchObject(expected);
      expect(verifyEvent(hook.secret, r)).toEqual(r.event);
      expect(r.body).not.toMatch(/token=|reset-password/);
    }
    await admin.delete(`/api/v1/partner/webhooks/${hook.id}`).expect(204);
  });

  it("raises account events for users a company's own admin adds and promotes", async () => {
    const hook = await createWebhook(['account.created', 'account.changed']);
    const customerId = await newCustomer('Self Run Ltd');
    await admin
      .post(`/api/v1/partner/customers/${customerId}/accounts`)
      .send({ email: 'boss@selfrun.example.com', firstName: 'Bo', lastName: 'S', role: 'full_access' })
      .expect(201);
    await sut.settle();
    const [invite] = await mailsTo(sut.dataDir, 'boss@selfrun.example.com');
    await api(sut.app)
      .post('/api/v1/auth/reset-password')
      .send({ token: tokenOf(linkIn(invite, '/reset-password')), password: 'the boss passphrase' })
      .expect(200);
    const boss = await signIn(sut.app, 'boss@selfrun.example.com', 'the boss passphrase');
    receiver.received.length = 0;

    const added = await boss
      .post('/api/v1/company/users')
      .send({ email: 'new@selfrun.example.com', firstName: 'Nia', lastName: 'W', role: 'read_only' })
      .expect(201);
    await boss.patch(`/api/v1/company/users/${added.body.id}`).send({ role: 'full_access' }).expect(200);
    await sut.settle();

    const got = receiver.received.map((r) => [r.event.type, r.event.data.accountId, r.event.data.role]);
    expect(got.sort()).toEqual([
      ['account.changed', added.body.id, 'full_access'],
      ['account.created', added.body.id, 'read_only'],
    ]);
    for (const r of receiver.received) expect(verifyEvent(hook.secret, r)).toEqual(r.event);
    await admin.delete(`/api/v1/partner/webhooks/${hook.id}`).expect(204);
  });

  it('retries a 500 with the same event id, and lists both attempts with their status codes', async () => {
    const hook = await createWebhook(['customer.created']);
    receiver.answers = [500];
    await newCustomer('Retry Ltd');
    await sut.settle();

    expect(receiver.received.map((r) => r.answered)).toEqual([500, 200]);
    expect(receiver.received[1].event.id).toBe(receiver.received[0].event.id);
    expect(receiver.received[1].body).toBe(receiver.received[0].body);
    const list = await admin.get(`/api/v1/partner/webhooks/${hook.id}/deliveries`).expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ attempt: 2, statusCode: 200, state: 'delivered', eventType: 'customer.created' }),
      expect.objectContaining({ attempt: 1, statusCode: 500, state: 'retrying', error: 'the receiver answered 500' }),
    ]);
    expect(list.body.items[0].eventId).toBe(receiver.received[0].event.id);
    expect(typeof list.body.items[0].latencyMs).toBe('number');
    await admin.delete(`/api/v1/partner/webhooks/${hook.id}`).expect(204);
  });

  it('gives a delivery up after the schedule, and disables a webhook whose deliveries keep dying, emailing the admins', async () => {
    const hook = await createWebhook(['customer.created']);
    receiver.always = 503;
    await newCustomer('Dead One');
    await sut.settle();

    expect(receiver.received).toHaveLength(3);
    let list = await admin.get(`/api/v1/partner/webhooks/${hook.id}/deliveries`).expect(200);
    expect(list.body.items.map((d: { attempt: number; state: string }) => [d.attempt, d.state])).toEqual([
      [3, 'dead'],
      [2, 'retrying'],
      [1, 'retrying'],
    ]);
    expect((await admin.get(`/api/v1/partner/webhooks/${hook.id}`)).body.enabled).toBe(true);

    await newCustomer('Dead Two');
    await sut.settle();
    const after = await admin.get(`/api/v1/partner/webhooks/${hook.id}`).expect(200);
    expect(after.body.enabled).toBe(false);
    expect(after.body.disabledReason).toMatch(/2 deliveries in a row failed/);
    const [mail] = await mailsTo(sut.dataDir, adminEmail, 'A webhook was disabled after failed deliveries');
    expect(mail.text).toContain(url);

    // Disabled: nothing more is sent until it is turned on again.
    receiver.received.length = 0;
    await newCustomer('Not Sent');
    await sut.settle();
    expect(receiver.received).toHaveLength(0);
    receiver.always = null;
    await admin.patch(`/api/v1/partner/webhooks/${hook.id}`).send({ enabled: true }).expect(200);
    await admin.post(`/api/v1/partner/webhooks/${hook.id}/test`).expect(202);
    await sut.settle();
    expect(receiver.received.map((r) => r.event.type)).toEqual(['ping']);
    expect(verifyEvent(hook.secret, receiver.received[0])).toMatchObject({
      type: 'ping',
      data: { webhookId: hook.id },
    });
    list = await admin.get(`/api/v1/partner/webhooks/${hook.id}/deliveries`).expect(200);
    expect(list.body.items[0]).toMatchObject({ eventType: 'ping', state: 'delivered', statusCode: 200 });
    await admin.delete(`/api/v1/partner/webhooks/${hook.id}`).expect(204);
  });

  it('refuses bad input with 400 and changes nothing', async () => {
    const bad = [
      { url: 'ftp://example.com/x', events: ['customer.created'] },
      { url: 'https://user:pw@example.com/x', events: ['customer.created'] },
      { url: 'not a url', events: ['customer.created'] },
      { url: `https://example.com/${'a'.repeat(2001)}`, events: ['customer.created'] },
      { url: 'https://example.com/x', events: [] },
      { url: 'https://example.com/x', events: ['customer.deleted'] },
      { url: 'https://example.com/x', events: 'customer.created' },
      { url: 'https://example.com/x' },
      { url: 'https://example.com/x', events: ['customer.created'], secret: 'whsec_mine' },
    ];
    for (const body of bad) {
      const res = await admin.post('/api/v1/partner/webhooks').send(body);
      expect({ body, status: res.status, type: res.body.type }).toEqual({
        body,
        status: 400,
        type: '/problems/validation',
      });
    }
    expect((await admin.get('/api/v1/partner/webhooks').expect(200)).body.items).toEqual([]);
    const hook = await createWebhook(['customer.created']);
    await admin.patch(`/api/v1/partner/webhooks/${hook.id}`).send({ enabled: 'yes' }).expect(400);
    await admin
      .patch(`/api/v1/partner/webhooks/${hook.id}`)
      .send({ events: ['nope'] })
      .expect(400);
    const res = await admin.patch(`/api/v1/partner/webhooks/${hook.id}`).send({ events: ['license.created'] });
    expect(res.body.events).toEqual(['license.created']);
    await admin.delete(`/api/v1/partner/webhooks/${hook.id}`).expect(204);
  });

  it("answers 404 for another partner's webhook on every route, and 403 to partner_support on writes", async () => {
    const hook = await createWebhook(['customer.created']);
    const other = await partnerWithAdmin(sut.app, 'otherhooks');
    const base = `/api/v1/partner/webhooks/${hook.id}`;
    await other.agent.get(base).expect(404);
    await other.agent.patch(base).send({ enabled: false }).expect(404);
    await other.agent.post(`${base}/test`).expect(404);
    await other.agent.get(`${base}/deliveries`).expect(404);
    await other.agent.delete(base).expect(404);
    expect((await other.agent.get('/api/v1/partner/webhooks').expect(200)).body.items).toEqual([]);

    const support = await supportUser(sut.app, partnerId, 'support@hooks.example.com');
    await support.get('/api/v1/partner/webhooks').expect(200);
    await support.get(`${base}/deliveries`).expect(200);
    await support
      .post('/api/v1/partner/webhooks')
      .send({ url, events: ['customer.created'] })
      .expect(403);
    await support.patch(base).send({ enabled: false }).expect(403);
    await support.post(`${base}/test`).expect(403);
    await support.delete(base).expect(403);
    expect((await admin.get(base).expect(200)).body.enabled).toBe(true);
    await admin.delete(base).expect(204);
    await admin.get(base).expect(404);
  });

  it('raises license.created, license.changed, and license.expiring / license.expired from the expiry scan', async () => {
    const hook = await createWebhook(['license.created', 'license.changed', 'license.expiring', 'license.expired']);
    const customerId = await newCustomer('Licensed Oy');
    const day = 86_400_000;
    const now = Date.now();
    const license = (expiresInDays: number) =>
      admin
        .post(`/api/v1/partner/customers/${customerId}/licenses`)
        .send({
          product: `Suite ${expiresInDays}`,
          seats: 5,
          startsAt: new Date(now - 400 * day).toISOString(),
          expiresAt: new Date(now + expiresInDays * day).toISOString(),
        })
        .expect(201);
    const soon = (await license(5)).body.id as string;
    const ended = (await license(-0.5)).body.id as string;
    await admin.patch(`/api/v1/partner/customers/${customerId}/licenses/${soon}`).send({ seats: 6 }).expect(200);
    await sut.app.get(LicenseNoticesService).scan(new Date(now));
    await sut.settle();

    const byType = (type: string) => receiver.received.filter((r) => r.event.type === type).map((r) => r.event.data);
    expect(
      byType('license.created')
        .map((d) => d.licenseId)
        .sort(),
    ).toEqual([soon, ended].sort());
    expect(byType('license.changed')).toEqual([expect.objectContaining({ licenseId: soon })]);
    expect(byType('license.expiring')).toEqual([
      expect.objectContaining({ licenseId: soon, customerId, thresholdDays: 7, daysLeft: 5, seats: 6 }),
    ]);
    expect(byType('license.expired')).toEqual([expect.objectContaining({ licenseId: ended, thresholdDays: 0 })]);
    for (const r of receiver.received) expect(verifyEvent(hook.secret, r)).toEqual(r.event);

    // A scan that runs again raises nothing new.
    const before = receiver.received.length;
    await sut.app.get(LicenseNoticesService).scan(new Date(now));
    await sut.settle();
    expect(receiver.received).toHaveLength(before);
  });
});

describe('Settings → Webhooks pages', () => {
  let sut: RunningConsole;
  let receiver: WebhookReceiver;
  let url: string;

  beforeAll(async () => {
    sut = await startConsole({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_SCHEDULE: '20ms' });
    receiver = new WebhookReceiver();
    url = await receiver.start();
  });

  afterAll(async () => {
    await sut?.close();
    await receiver?.stop();
  });

  it('adds a webhook showing its secret once, sends a test, lists the delivery, turns it off and deletes it', async () => {
    const { agent } = await partnerWithAdmin(sut.app, 'hookpages');
    const list = '/partner/settings/webhooks';
    expect((await agent.get('/partner/settings').expect(200)).text).toContain(`href="${list}"`);
    let csrf = await formToken(agent, list);
    await agent
      .post(list)
      .type('form')
      .send({ url, events: ['customer.created'] })
      .expect(403);
    const refused = await agent.post(list).type('form').send({ _csrf: csrf, url: 'ftp://x' }).expect(400);
    expect(refused.text).toContain('Tick at least one event.');
    expect(refused.text).toContain('Enter the full https:// address');

    const created = await agent
      .post(list)
      .type('form')
      .send({ _csrf: csrf, url, events: ['customer.created', 'account.created'] })
      .expect(200);
    // As a browser reads it: the page escapes = and / as character references.
    const secret = /<code>(whsec_[^<]+)<\/code>/
      .exec(created.text)?.[1]
      .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(secret).toBeDefined();
    const href = /href="(\/partner\/settings\/webhooks\/[0-9a-f-]{36})"/.exec(created.text)![1];
    const detail = await agent.get(href).expect(200);
    expect(detail.text).not.toContain(secret!);
    expect((await agent.get(list)).text).toContain(url);

    csrf = await formToken(agent, href);
    await agent.post(`${href}/test`).type('form').send({ _csrf: csrf }).expect(303);
    await sut.settle();
    expect(verifyEvent(secret!, receiver.received[0])).toMatchObject({ type: 'ping' });
    const shown = await agent.get(href).expect(200);
    expect(shown.text).toContain('Delivered');
    expect(shown.text).toMatch(/<code>ping<\/code>/);

    await agent.post(`${href}/enabled`).type('form').send({ _csrf: csrf }).expect(303);
    expect((await agent.get(href)).text).toContain('Turn on');
    await agent.post(href).type('form').send({ _csrf: csrf, url, events: 'license.created' }).expect(303);
    const api1 = await agent.get(`/api/v1/partner/webhooks/${href.split('/').pop()}`).expect(200);
    expect(api1.body).toMatchObject({ enabled: false, events: ['license.created'] });
    await agent.post(`${href}/delete`).type('form').send({ _csrf: csrf }).expect(303);
    await agent.get(href).expect(404);
  });
});

describe('webhooks without WEBHOOK_ALLOW_PRIVATE_NETWORKS', () => {
  let sut: RunningConsole;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sut = await startConsole({ WEBHOOK_RETRY_SCHEDULE: '20ms' });
    receiver = new WebhookReceiver();
    await receiver.start();
  });

  afterAll(async () => {
    await sut?.close();
    await receiver?.stop();
  });

  it('accepts only https, refuses private addresses, and refuses a host that resolves to one when sending', async () => {
    const { agent } = await partnerWithAdmin(sut.app, 'ssrf');
    const events = ['customer.created'];
    for (const url of [
      `http://example.com/hooks`,
      'https://127.0.0.1/hooks',
      'https://10.1.2.3/hooks',
      'https://169.254.169.254/latest',
      'https://[::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
    ]) {
      const res = await agent.post('/api/v1/partner/webhooks').send({ url, events });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
    }
    // A name is checked after it is resolved, at every delivery.
    const res = await agent
      .post('/api/v1/partner/webhooks')
      .send({ url: `https://localhost:${receiver.port}/hooks`, events })
      .expect(201);
    await agent.post(`/api/v1/partner/webhooks/${res.body.id}/test`).expect(202);
    await sut.settle();

    expect(receiver.received).toHaveLength(0);
    const list = await agent.get(`/api/v1/partner/webhooks/${res.body.id}/deliveries`).expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        eventType: 'ping',
        attempt: 1,
        state: 'dead',
        statusCode: null,
        error: expect.stringMatching(/refused: localhost resolves to (127\.0\.0\.1|::1), a private/),
      }),
    ]);
  });
});
