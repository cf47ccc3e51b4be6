import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { totpCode } from '@lmp/identity';
import { companyWithAdmin, insertUser, USER_PASSWORD } from '../support/account-flow';
import { RunningConsole, startConsole } from '../support/console-app';
import { partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';
import { linkIn, mailsTo, tokenOf } from '../support/mail';
import { formToken } from '../support/partner-console';

const MFA = '/account/security/two-factor';
const HELP_URL = 'https://support.example.com/lmp';

/** Attribute values as the browser reads them (Handlebars escapes `=` and `&` in them). */
const decoded = (html: string): string => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

/**
 * What a user meets on the pages besides the main flows: changing the sign-in address, changing a
 * text-message number, being throttled, the menu under one's name, help, the authenticator's first
 * question, the partner's Full Access, and the wording of invitations and notices.
 */
describe('pages as a user finds them', () => {
  let sut: RunningConsole;

  beforeAll(async () => {
    sut = await startConsole({ HELP_URL });
  });
  afterAll(() => sut.close());

  describe('changing the sign-in email address', () => {
    const PAGE = '/account/profile/email';

    it('is linked from My Profile and says what happens next before anything is sent', async () => {
      const co = await companyWithAdmin(sut.app, 'uxem');
      const profile = await co.admin.agent.get('/account/profile').expect(200);
      expect(profile.text).toContain(`href="${PAGE}"`);
      const page = await co.admin.agent.get(PAGE).expect(200);
      expect(page.text).toContain('<h1 id="email-heading">Change email address</h1>');
      expect(page.text).toContain(co.admin.email);
      expect(page.text).toMatch(/<label for="newEmail">New email address<\/label>/);
      expect(page.text).toMatch(/<label for="password">Your password<\/label>/);
      expect(page.text).toContain('We email a link to the new address');
      expect(page.text).toContain('Until you open it, you keep signing in with your current address');
      await api(sut.app).get(PAGE).expect(303);
    });

    it('shows errors next to the fields, then sends the link and says where it went', async () => {
      const co = await companyWithAdmin(sut.app, 'uxem2');
      const me = co.admin.agent;
      const token = await formToken(me, PAGE);
      const newEmail = `new-${co.admin.email}`;

      const bad = await me.post(PAGE).type('form').send({ _csrf: token, newEmail: 'nope', password: '' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('<p id="newEmail-error" class="field-error">Enter the new email address');
      expect(bad.text).toContain('value="nope"');

      const wrong = await me.post(PAGE).type('form').send({ _csrf: token, newEmail, password: 'not my password' });
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('<p id="password-error" class="field-error">Your password is not correct.</p>');
      expect(wrong.text).toMatch(/id="password"[^>]*aria-invalid="true"/);

      const same = await me
        .post(PAGE)
        .type('form')
        .send({ _csrf: token, newEmail: co.admin.email, password: USER_PASSWORD });
      expect(same.status).toBe(400);
      expect(same.text).toContain('<p id="newEmail-error" class="field-error">That is already your email address.</p>');

      await me.post(PAGE).type('form').send({ newEmail, password: USER_PASSWORD }).expect(403);

      const ok = await me.post(PAGE).type('form').send({ _csrf: token, newEmail, password: USER_PASSWORD }).expect(303);
      const sent = await me.get(ok.headers.location).expect(200);
      expect(sent.text).toContain(`We sent a link to <strong>${newEmail}</strong>`);
      expect(sent.text).toContain(`Until then, sign in with <strong>${co.admin.email}</strong>`);

      await sut.settle();
      const verify = await mailsTo(sut.dataDir, newEmail, 'Confirm your new email address');
      expect(verify).toHaveLength(1);
      expect(await mailsTo(sut.dataDir, co.admin.email, 'Your email address is being changed')).toHaveLength(1);
      await api(sut.app)
        .post('/api/v1/account/confirm-email')
        .send({ token: tokenOf(linkIn(verify[0], '/confirm-email')) })
        .expect(200, { email: newEmail });
    });

    it('says in words when to try again after too many links to one address', async () => {
      const co = await companyWithAdmin(sut.app, 'uxem3');
      const me = co.admin.agent;
      const token = await formToken(me, PAGE);
      const newEmail = `flooded-${co.admin.email}`;
      for (let i = 0; i < 5; i++)
        await me.post(PAGE).type('form').send({ _csrf: token, newEmail, password: USER_PASSWORD }).expect(303);
      const limited = await me.post(PAGE).type('form').send({ _csrf: token, newEmail, password: USER_PASSWORD });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.text).toMatch(/Try again in \d+ minute/);
      expect(limited.text).toContain(`value="${newEmail}"`);
    });
  });

  describe('being throttled', () => {
    it('tells the sixth forgot-password request in words when to try again, with Retry-After', async () => {
      const browser = request.agent(sut.app.getHttpServer());
      const token = await formToken(browser, '/forgot-password');
      for (let i = 0; i < 5; i++)
        await browser
          .post('/forgot-password')
          .type('form')
          .send({ _csrf: token, email: `x${i}@example.com` })
          .expect(200);
      const sixth = await browser.post('/forgot-password').type('form').send({ _csrf: token, email: 'x@example.com' });
      expect(sixth.status).toBe(429);
      expect(sixth.headers['content-type']).toMatch(/^text\/html/);
      expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(14 * 60);
      expect(sixth.text).not.toContain('ThrottlerException');
      expect(sixth.text).toContain('Try again in 15 minutes.');

      for (let i = 0; i < 5; i++)
        await api(sut.app)
          .post('/api/v1/auth/forgot-password')
          .send({ email: `y${i}@example.com` })
          .expect(202);
      const limited = await api(sut.app).post('/api/v1/auth/forgot-password').send({ email: 'y@example.com' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(14 * 60);
      expect(limited.body.detail).toBe('Too many requests. Try again in 15 minutes.');
    });
  });

  describe('the page shell', () => {
    it('opens a menu under the name at top right with My Profile and Sign out', async () => {
      const co = await companyWithAdmin(sut.app, 'uxmenu');
      const partner = await partnerWithAdmin(sut.app);
      for (const [agent, path] of [
        [co.admin.agent, '/company/users'],
        [partner.agent, '/partner/customers'],
      ] as const) {
        const page = await agent.get(path).expect(200);
        const menu = /<details class="usermenu">([\s\S]*?)<\/details>/.exec(page.text)?.[1] ?? '';
        expect(menu).toMatch(/<summary[^>]*>[\s\S]*class="who-name"/);
        expect(menu).toContain('<a href="/account/profile">My Profile</a>');
        expect(menu).toMatch(/<form method="post" action="\/logout"[\s\S]*>Sign out<\/button>/);
      }
    });

    it('links to help on every page, signed in or not, at the configured address', async () => {
      const co = await companyWithAdmin(sut.app, 'uxhelp');
      const pages = [
        await api(sut.app).get('/login'),
        await api(sut.app).get('/forgot-password'),
        await co.admin.agent.get('/company/users/0f0f0f0f-0000-4000-8000-000000000009/remove').expect(404),
        await co.admin.agent.get('/account/subscriptions'),
        await co.admin.agent.get('/account/security'),
      ];
      for (const page of pages) expect(page.text).toContain(`<a class="help" href="${HELP_URL}">Help</a>`);
    });

    it('describes each email subscription', async () => {
      const co = await companyWithAdmin(sut.app, 'uxsubs');
      const page = await co.admin.agent.get('/account/subscriptions').expect(200);
      expect(page.text).toMatch(/id="newsletter-hint" class="hint">[^<]*news/);
      expect(page.text).toMatch(/id="promotions-hint" class="hint">[^<]*offers/);
      expect(page.text).toContain('aria-describedby="newsletter-hint" name="newsletter"');
      expect(page.text).toContain('aria-describedby="promotions-hint" name="promotions"');
    });
  });

  describe('two-factor authentication', () => {
    /** The newest code texted to a number (embedded mode writes text messages to files). */
    async function textedCode(phone: string): Promise<string> {
      await sut.settle();
      const dir = join(sut.dataDir, 'outbox');
      const texts = readdirSync(dir)
        .filter((f) => f.endsWith('.sms.txt'))
        .map((f) => ({ text: readFileSync(join(dir, f), 'utf8'), at: statSync(join(dir, f)).mtimeMs }))
        .filter((t) => t.text.startsWith(`To: ${phone}\n`))
        .sort((a, b) => a.at - b.at);
      const code = /\b(\d{6})\b/.exec(texts[texts.length - 1]?.text ?? '')?.[1];
      if (!code) throw new Error(`no code texted to ${phone}`);
      return code;
    }

    async function addPhone(me: TestAgent, token: string, phone: string, replace?: string) {
      const sent = await me.post(`${MFA}/sms`).type('form').send({ _csrf: token, phone, replace }).expect(303);
      const page = await me.get(sent.headers.location).expect(200);
      const action = /<form method="post" action="([^"]+\/confirm)"/.exec(page.text)![1];
      return me
        .post(action)
        .type('form')
        .send({ _csrf: token, kind: 'sms', replace, code: await textedCode(phone) });
    }

    it('asks whether the user has an authenticator app, with the app stores, before any QR code', async () => {
      const co = await companyWithAdmin(sut.app, 'uxapp');
      const page = await co.admin.agent.get(`${MFA}/app`).expect(200);
      expect(page.text).toContain('Do you have an authenticator app?');
      expect(page.text).toMatch(/<button type="submit" class="primary">Yes, show the QR code<\/button>/);
      expect(page.text).toMatch(/<summary[^>]*>Not yet<\/summary>/);
      const html = decoded(page.text);
      for (const link of [
        'https://apps.apple.com/app/google-authenticator/id388497605',
        'https://play.google.com/store/apps/details?id=com.google.android.apps.authenticator2',
        'https://apps.apple.com/app/microsoft-authenticator/id983156458',
        'https://play.google.com/store/apps/details?id=com.azure.authenticator',
        'https://apps.apple.com/app/twilio-authy/id494168017',
        'https://play.google.com/store/apps/details?id=com.authy.authy',
      ])
        expect(html).toContain(`href="${link}"`);
      expect(page.text).not.toContain('<img');
    });

    it('keeps the default on the new number when the default number is changed', async () => {
      const co = await companyWithAdmin(sut.app, 'uxsms');
      const me = co.admin.agent;
      const token = await formToken(me, `${MFA}/app`);
      // The authenticator app first (the oldest method), then a phone made the default.
      const qr = await me.post(`${MFA}/app`).type('form').send({ _csrf: token }).expect(200);
      const secret = /data-secret="([A-Z2-7]+)"/.exec(qr.text)![1];
      const appAction = /<form method="post" action="([^"]+\/confirm)"/.exec(qr.text)![1];
      await me
        .post(appAction)
        .type('form')
        .send({ _csrf: token, kind: 'app', code: totpCode(secret, sut.clock.now()) })
        .expect(200);
      const oldPhone = '+14155550123';
      await addPhone(me, token, oldPhone).then((r) => expect(r.status).toBe(303));
      const oldId = (await me.get('/api/v1/me/mfa').expect(200)).body.methods.find(
        (m: { kind: string }) => m.kind === 'sms',
      ).id as string;
      await me.post(`${MFA}/${oldId}/default`).type('form').send({ _csrf: token }).expect(303);

      // Change: the new number is set up, then the old one removed.
      const confirmed = await addPhone(me, token, '+442079460958', oldId);
      expect(confirmed.status).toBe(303);
      expect(confirmed.headers.location).toBe(`${MFA}/${oldId}/remove?added=1`);
      await me.post(`${MFA}/${oldId}/remove`).type('form').send({ _csrf: token, password: USER_PASSWORD }).expect(303);

      const page = await me.get('/account/security').expect(200);
      expect(page.text).toContain('Text message to +44 ••• 0958 <span class="badge badge-blue">Default</span>');
      expect(page.text).not.toContain('Authenticator app <span class="badge badge-blue">Default</span>');
      const methods = (await me.get('/api/v1/me/mfa').expect(200)).body.methods as Array<{
        kind: string;
        isDefault: boolean;
      }>;
      expect(methods.find((m) => m.isDefault)?.kind).toBe('sms');
    });
  });

  describe('Full Access, invitations and notices', () => {
    it('tells the Full Access users when the partner gives Full Access from Edit account → Role', async () => {
      const co = await companyWithAdmin(sut.app, 'uxrole');
      const reader = await insertUser(sut.app, co.customerId, `reader-${co.admin.email}`, 'read_only');
      const path = `/partner/customers/${co.customerId}/accounts/${reader.id}`;
      const token = await formToken(co.partnerAgent, `${path}/edit`);
      await co.partnerAgent
        .post(path)
        .type('form')
        .send({ _csrf: token, firstName: 'First', lastName: reader.lastName, role: 'full_access', status: 'active' })
        .expect(303);
      await sut.settle();
      for (const to of [co.admin.email, reader.email]) {
        const mails = await mailsTo(sut.dataDir, to, 'A user of your company now has Full Access');
        expect(mails).toHaveLength(1);
        expect(mails[0].text).toContain(reader.email);
      }
      const audit = await co.partnerAgent.get(`/api/v1/partner/audit?customerId=${co.customerId}`).expect(200);
      expect(audit.body.items[0]).toMatchObject({ action: 'account.changed', detail: { role: 'full_access' } });
    });

    it("names the company, not the partner, in an invitation sent by the company's own admin", async () => {
      const co = await companyWithAdmin(sut.app, 'uxinv');
      const { companyName } = (await co.partnerAgent.get(`/api/v1/partner/customers/${co.customerId}`).expect(200))
        .body as { companyName: string };
      const token = await formToken(co.admin.agent, '/company/users');
      const email = `invitee-${co.admin.email}`;
      await co.admin.agent
        .post('/company/users')
        .type('form')
        .send({ _csrf: token, email, firstName: 'Ivy', lastName: 'New', role: 'read_only' })
        .expect(303);
      await sut.settle();
      const [mail] = await mailsTo(sut.dataDir, email, 'You have been invited to LMP');
      expect(mail.text).toContain(`An administrator at ${companyName} created an LMP account for you.`);
      // The partner's name is "Partner <code>": it is not who sent this one.
      expect(mail.text).not.toContain('Partner ');
      expect(mail.html).not.toContain('Partner ');
    });

    it('says in the "password changed" email that the device that changed it stays signed in', async () => {
      const co = await companyWithAdmin(sut.app, 'uxpwd');
      const token = await formToken(co.admin.agent, '/account/security');
      await co.admin.agent
        .post('/account/security/password')
        .type('form')
        .send({
          _csrf: token,
          currentPassword: USER_PASSWORD,
          newPassword: 'another page passphrase',
          confirmPassword: 'another page passphrase',
        })
        .expect(303);
      await sut.settle();
      const [mail] = await mailsTo(sut.dataDir, co.admin.email, 'Your password was changed');
      expect(mail.text).toContain(
        'Every other device that was signed in has been signed out; the one it was changed on stays signed in.',
      );
    });

    it('styles the phone input like the other text inputs', async () => {
      const css = (await api(sut.app).get('/assets/app.css').expect(200)).text;
      const rule = /(^|\n)(input\[type=email\][^{]*)\{/.exec(css)?.[2] ?? '';
      expect(rule).toContain('input[type=tel]');
    });
  });
});
