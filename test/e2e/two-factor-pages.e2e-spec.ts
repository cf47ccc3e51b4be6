import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { totpCode } from '@lmp/identity';
import { companyWithAdmin, USER_PASSWORD } from '../support/account-flow';
import { RunningConsole, startConsole } from '../support/console-app';
import { ADMIN_PASSWORD, partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';
import { linkIn, mailsTo, tokenOf } from '../support/mail';
import { formToken, supportUser } from '../support/partner-console';

const BASE = '/account/security/two-factor';
const WRONG = 'That code is not correct, has expired or was used already.';
const CODE_MAIL = 'Your LMP security code';

const csrfOf = (html: string): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1];
};

/** Attribute values as the browser reads them (Handlebars escapes `=` and `&` in them). */
const decoded = (html: string): string => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

const cookiesOf = (res: request.Response): string[] => ([] as string[]).concat(res.headers['set-cookie'] ?? []);

/**
 * Two-factor authentication as server-rendered pages: setting methods up from My Profile →
 * Security, the second step of signing in (codes, another method, recovery codes), password
 * resets that never skip it, the partner's policy for its staff and the page that sets it.
 */
describe('two-factor authentication pages', () => {
  let sut: RunningConsole;

  beforeAll(async () => {
    sut = await startConsole();
  });
  afterAll(() => sut.close());

  /** The code an authenticator app shows now, by the console's clock. */
  const appCode = (secret: string) => totpCode(secret, sut.clock.now());

  /** A code that is none of the three the server accepts now (the step before, this one, the next). */
  function wrongCode(secret: string): string {
    const now = sut.clock.now().getTime();
    const near = [-30_000, 0, 30_000].map((d) => totpCode(secret, new Date(now + d)));
    for (let i = 0; ; i++) {
      const code = String(i).padStart(6, '0');
      if (!near.includes(code)) return code;
    }
  }

  /** A code is accepted once per 30-second step: the next use waits for the next step. */
  const nextStep = () => sut.clock.advance(30_000);

  /** The password form: a fresh browser, its CSRF cookie, and the response to the post. */
  async function passwordStep(email: string, password: string, next = '/') {
    const agent = request.agent(sut.app.getHttpServer());
    const login = csrfOf((await agent.get('/login').expect(200)).text);
    const res = await agent.post('/login').type('form').send({ _csrf: login, email, password, next }).expect(303);
    // The next page's forms carry a token of the new sign-in state (pending or signed in).
    const token = csrfOf((await agent.get(res.headers.location as string).redirects(3)).text);
    return { agent, token, res };
  }

  /** The authenticator app set up through the pages; its key and the recovery codes shown once. */
  async function setUpApp(agent: TestAgent) {
    const token = await formToken(agent, `${BASE}/app`);
    const qr = await agent.post(`${BASE}/app`).type('form').send({ _csrf: token }).expect(200);
    const secret = /data-secret="([A-Z2-7]+)"/.exec(qr.text)![1];
    const action = /<form method="post" action="([^"]+\/confirm)"/.exec(qr.text)![1];
    const done = await agent
      .post(action)
      .type('form')
      .send({ _csrf: token, kind: 'app', code: appCode(secret) });
    expect(done.status).toBe(200);
    const codes = [...done.text.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
    return { secret, codes, qr, done, token };
  }

  /** A customer user with the authenticator app on, signed in on `agent`. */
  async function userWithApp(label: string) {
    const co = await companyWithAdmin(sut.app, label);
    const app = await setUpApp(co.admin.agent);
    return { ...co.admin, ...app, customerId: co.customerId };
  }

  /** The newest code emailed to an address. */
  async function emailedCode(to: string): Promise<string> {
    await sut.settle();
    const mails = (await mailsTo(sut.dataDir, to, CODE_MAIL)).sort((a, b) => a.date - b.date);
    const code = /\b(\d{6})\b/.exec(mails[mails.length - 1]?.text ?? '')?.[1];
    if (!code) throw new Error(`no code mailed to ${to}`);
    return code;
  }

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

  describe('setting up the authenticator app', () => {
    it('offers the three kinds of method while 2FA is off', async () => {
      const co = await companyWithAdmin(sut.app, 'tfoff');
      const page = await co.admin.agent.get('/account/security').expect(200);
      expect(page.text).toContain('<h2 id="mfa-heading">Two-factor authentication</h2>');
      expect(page.text).toContain('<span class="badge badge-grey">Off</span>');
      for (const [slug, label] of [
        ['app', 'Authenticator app'],
        ['sms', 'Text message (SMS)'],
        ['email', 'Email'],
      ])
        expect(page.text).toContain(`href="${BASE}/${slug}" aria-label="Set up ${label}">Set up</a>`);
      expect(page.text).not.toContain('Turn off two-factor authentication');
      expect(page.text).toContain('Change password');
    });

    it('shows the QR code and key, refuses a wrong code, then turns 2FA on and shows the recovery codes once', async () => {
      const co = await companyWithAdmin(sut.app, 'tfapp');
      const me = co.admin.agent;
      const intro = await me.get(`${BASE}/app`).expect(200);
      expect(intro.text).toContain('Show the QR code');
      const token = csrfOf(intro.text);

      const qr = await me.post(`${BASE}/app`).type('form').send({ _csrf: token }).expect(200);
      expect(qr.headers['cache-control']).toBe('no-store');
      expect(decoded(qr.text)).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"[^>]*alt="QR code/);
      const secret = /data-testid="totp-secret" data-secret="([A-Z2-7]+)"/.exec(qr.text)![1];
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(qr.text).toContain(`>${secret.match(/.{1,4}/g)!.join(' ')}</code>`);
      const action = /<form method="post" action="([^"]+\/confirm)"/.exec(qr.text)![1];
      expect(action).toMatch(new RegExp(`^${BASE}/[0-9a-f-]{36}/confirm$`));

      const malformed = await me.post(action).type('form').send({ _csrf: token, kind: 'app', code: '12 34' });
      expect(malformed.status).toBe(400);
      expect(malformed.text).toContain('<p id="code-error" class="field-error">Enter the 6-digit code');
      const wrong = await me
        .post(action)
        .type('form')
        .send({ _csrf: token, kind: 'app', code: wrongCode(secret) });
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('<p id="code-error" class="field-error">The code is not correct.</p>');
      expect(wrong.text).toMatch(/id="code"[^>]*aria-invalid="true"/);
      expect(wrong.text).toContain('Start again with a new QR code');
      expect(wrong.text).not.toContain(secret);

      const done = await me
        .post(action)
        .type('form')
        .send({ _csrf: token, kind: 'app', code: appCode(secret) });
      expect(done.status).toBe(200);
      expect(done.text).toContain('Two-factor authentication is on.');
      const codes = [...done.text.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
      expect(new Set(codes).size).toBe(10);
      const download = /href="(data:text\/plain;charset=utf-8,[^"]+)" download="lmp-recovery-codes.txt"/.exec(
        decoded(done.text),
      )![1];
      expect(decodeURIComponent(download.split(',')[1])).toContain(codes.join('\n'));
      expect(decoded(done.text)).toContain('href="/account/security?done=mfa-on">I have saved them</a>');

      const page = await me.get('/account/security?done=mfa-on').expect(200);
      expect(page.text).toContain('Two-factor authentication is on. Keep your recovery codes somewhere safe.');
      expect(page.text).toContain('<span class="badge badge-green">On</span>');
      expect(page.text).toContain('Authenticator app <span class="badge badge-blue">Default</span>');
      expect(page.text).toContain('Set up a second one');
      expect(page.text).toContain('<strong>10 of 10</strong> left');
      expect(page.text).not.toContain('aria-label="Set Authenticator app as default"');
      // A code is good once: the one that confirmed the app cannot confirm anything else.
      await sut.settle();
      expect(
        await mailsTo(sut.dataDir, co.admin.email, 'Your two-factor authentication settings changed'),
      ).toHaveLength(1);
    });

    it('keeps the only method: removing it is refused with the reason', async () => {
      const u = await userWithApp('tfonly');
      const page = await u.agent.get('/account/security').expect(200);
      const removeHref = /href="([^"]+\/remove)" aria-label="Remove Authenticator app"/.exec(page.text)![1];
      const confirm = await u.agent.get(removeHref).expect(200);
      expect(confirm.text).toContain('Remove Authenticator app?');
      const wrong = await u.agent.post(removeHref).type('form').send({ _csrf: u.token, password: 'not my password' });
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('<p id="password-error" class="field-error">That password is not correct.</p>');
      const last = await u.agent.post(removeHref).type('form').send({ _csrf: u.token, password: USER_PASSWORD });
      expect(last.status).toBe(409);
      expect(last.text).toContain('This is your only two-factor method. Set up another one first');
      expect((await u.agent.get('/account/security').expect(200)).text).toContain('<strong>10 of 10</strong>');
    });

    it('refuses the forms without a CSRF token, and sends anonymous visitors to sign in', async () => {
      const co = await companyWithAdmin(sut.app, 'tfcsrf');
      for (const path of [
        `${BASE}/app`,
        `${BASE}/sms`,
        `${BASE}/email`,
        `${BASE}/recovery-codes`,
        `${BASE}/turn-off`,
      ]) {
        const res = await co.admin.agent
          .post(path)
          .type('form')
          .send({ phone: '+14155550123', password: USER_PASSWORD });
        expect(res.status).toBe(403);
        const anonymous = await api(sut.app).get(path).expect(303);
        expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
      }
      await co.admin.agent.get(`${BASE}/not-an-id/remove`).expect(404);
      await co.admin.agent.get(`${BASE}/0f0f0f0f-0000-4000-8000-000000000009/remove`).expect(404);
    });
  });

  describe('signing in with a second step', () => {
    it('asks for a code after the password; a wrong one is refused with 401, the right one signs in', async () => {
      const u = await userWithApp('tfsign');
      await u.agent.post('/logout').type('form').send({ _csrf: u.token }).expect(303);

      const { agent, res } = await passwordStep(u.email, USER_PASSWORD, '/account/profile');
      expect(res.headers.location).toBe('/login/mfa?next=%2Faccount%2Fprofile');
      const pending = cookiesOf(res).find((c) => c.startsWith('lmp_mfa_pending='));
      expect(pending).toMatch(/HttpOnly/);
      expect(pending).toMatch(/Max-Age=600/);
      expect(cookiesOf(res).some((c) => c.startsWith('lmp_session='))).toBe(false);
      // The password alone opens nothing.
      expect((await agent.get('/account/profile').expect(303)).headers.location).toMatch(/^\/login\?next=/);

      const step = await agent.get(res.headers.location).expect(200);
      expect(step.text).toContain('<h1 id="mfa-heading">Two-step verification</h1>');
      expect(step.text).toContain('Enter the 6-digit code from your authenticator app.');
      expect(decoded(step.text)).toContain(
        'href="/login/mfa?recovery=1&next=%2Faccount%2Fprofile">Use a recovery code</a>',
      );
      expect(step.text).not.toContain('Send a new code');
      expect(step.text).toContain('<input type="hidden" name="next" value="/account/profile">');
      const token = csrfOf(step.text);
      const methodId = /name="methodId" value="([0-9a-f-]{36})"/.exec(step.text)![1];
      const post = (code: string) =>
        agent.post('/login/mfa').type('form').send({ _csrf: token, next: '/account/profile', methodId, code });

      const wrong = await post(wrongCode(u.secret));
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain(`<p id="mfa-error" class="alert alert-error" role="alert">${WRONG}</p>`);
      expect(wrong.text).toMatch(/id="code"[^>]*aria-invalid="true" aria-describedby="mfa-error code-hint"/);
      expect((await post('12345')).status).toBe(400);
      expect((await agent.post('/login/mfa').type('form').send({ methodId, code: '123456' })).status).toBe(403);

      nextStep();
      const code = appCode(u.secret);
      const ok = await post(code);
      expect(ok.status).toBe(303);
      expect(ok.headers.location).toBe('/account/profile');
      expect(cookiesOf(ok).find((c) => c.startsWith('lmp_session='))).toMatch(/HttpOnly/);
      expect(cookiesOf(ok).some((c) => c.startsWith('lmp_device='))).toBe(true);
      expect(cookiesOf(ok).find((c) => c.startsWith('lmp_mfa_pending='))).toMatch(/Expires=Thu, 01 Jan 1970/);
      await agent.get('/account/profile').expect(200);
      await agent.get('/login/mfa').expect(303);

      // The same code, seen over a shoulder, does not sign anyone in again.
      const again = await passwordStep(u.email, USER_PASSWORD);
      const replay = await again.agent.post('/login/mfa').type('form').send({ _csrf: again.token, methodId, code });
      expect(replay.status).toBe(401);
    });

    it('signs in with a recovery code, once', async () => {
      const u = await userWithApp('tfrec');
      const { agent, token, res } = await passwordStep(u.email, USER_PASSWORD);
      expect(res.headers.location).toBe('/login/mfa');
      const form = await agent.get('/login/mfa?recovery=1').expect(200);
      expect(form.text).toContain('<label for="recoveryCode">Recovery code</label>');
      expect(decoded(form.text)).toContain('href="/login/mfa?method=');
      expect(form.text).toContain('>Use your authenticator app</a>');
      expect(form.text).not.toContain('>Use a recovery code</a>');
      const post = (recoveryCode: string) =>
        agent.post('/login/mfa').type('form').send({ _csrf: token, recovery: '1', recoveryCode });

      const wrong = await post('aaaaa-aaaaa');
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain(WRONG);
      expect(wrong.text).toContain('<label for="recoveryCode">Recovery code</label>');
      expect((await post('short')).status).toBe(400);
      const ok = await post(` ${u.codes[0].toUpperCase()} `);
      expect(ok.status).toBe(303);
      expect(ok.headers.location).toBe('/');
      expect((await agent.get('/account/security').expect(200)).text).toContain('<strong>9 of 10</strong> left');

      const again = await passwordStep(u.email, USER_PASSWORD);
      const used = await again.agent
        .post('/login/mfa')
        .type('form')
        .send({ _csrf: again.token, recovery: '1', recoveryCode: u.codes[0] });
      expect(used.status).toBe(401);
    });

    it('ends the pending sign-in after five wrong codes; the password is asked again', async () => {
      const u = await userWithApp('tfmany');
      const { agent, token } = await passwordStep(u.email, USER_PASSWORD);
      const methodId = /name="methodId" value="([0-9a-f-]{36})"/.exec((await agent.get('/login/mfa')).text)![1];
      const post = () =>
        agent
          .post('/login/mfa')
          .type('form')
          .send({ _csrf: token, methodId, code: wrongCode(u.secret) });
      for (let i = 0; i < 4; i++) expect((await post()).status).toBe(401);
      const ended = await post();
      expect(ended.status).toBe(303);
      expect(ended.headers.location).toBe('/login?notice=mfa-ended');
      const login = await agent.get(ended.headers.location).expect(200);
      expect(login.text).toContain('<p class="alert alert-info" role="status">Your sign-in ended');
      expect((await agent.get('/login/mfa').expect(303)).headers.location).toBe('/login');
    });

    it('has no second step without a pending sign-in', async () => {
      const agent = request.agent(sut.app.getHttpServer());
      expect((await agent.get('/login/mfa').expect(303)).headers.location).toBe('/login');
      const token = csrfOf((await agent.get('/login').expect(200)).text);
      const post = await agent
        .post('/login/mfa')
        .type('form')
        .send({ _csrf: token, methodId: '0f0f0f0f-0000-4000-8000-000000000009', code: '123456' });
      expect(post.status).toBe(303);
      expect(post.headers.location).toBe('/login');
      const send = await agent
        .post('/login/mfa/send')
        .type('form')
        .send({ _csrf: token, methodId: '0f0f0f0f-0000-4000-8000-000000000009' });
      expect(send.headers.location).toBe('/login');
    });

    it('cancels back to the password form', async () => {
      const u = await userWithApp('tfcancel');
      const { agent, token } = await passwordStep(u.email, USER_PASSWORD);
      const res = await agent.post('/login/mfa/cancel').type('form').send({ _csrf: token }).expect(303);
      expect(res.headers.location).toBe('/login');
      expect((await agent.get('/login/mfa').expect(303)).headers.location).toBe('/login');
    });

    it('never lets a password reset skip the second step', async () => {
      const u = await userWithApp('tfreset');
      await api(sut.app).post('/api/v1/auth/forgot-password').send({ email: u.email }).expect(202);
      await sut.settle();
      const [mail] = await mailsTo(sut.dataDir, u.email, 'Reset your password');
      const link = linkIn(mail, '/reset-password');
      const agent = request.agent(sut.app.getHttpServer());
      const form = await agent.get(`/reset-password?token=${tokenOf(link)}`).expect(200);
      const res = await agent
        .post('/reset-password')
        .type('form')
        .send({
          _csrf: csrfOf(form.text),
          token: tokenOf(link),
          password: 'a reset passphrase',
          confirmPassword: 'a reset passphrase',
        })
        .expect(303);
      expect(res.headers.location).toBe('/login/mfa?notice=password-set');
      expect(cookiesOf(res).some((c) => c.startsWith('lmp_session='))).toBe(false);
      await agent.get('/').expect(303);

      const step = await agent.get(res.headers.location).expect(200);
      expect(step.text).toContain('Your new password is set. To finish signing in, confirm that it is you.');
      const methodId = /name="methodId" value="([0-9a-f-]{36})"/.exec(step.text)![1];
      nextStep();
      const ok = await agent
        .post('/login/mfa')
        .type('form')
        .send({ _csrf: csrfOf(step.text), next: '/', methodId, code: appCode(u.secret) })
        .expect(303);
      expect(ok.headers.location).toBe('/');
      expect((await agent.get('/').expect(200)).text).toContain('Hello, ');
    });

    it('signs in with a password alone when 2FA is off, as before', async () => {
      const co = await companyWithAdmin(sut.app, 'tfnone');
      const { res } = await passwordStep(co.admin.email, USER_PASSWORD, '/account/profile');
      expect(res.headers.location).toBe('/account/profile');
      expect(cookiesOf(res).some((c) => c.startsWith('lmp_session='))).toBe(true);
      expect(cookiesOf(res).some((c) => c.startsWith('lmp_mfa_pending='))).toBe(false);
    });
  });

  describe('more methods', () => {
    it('adds an email method, makes it the default and signs in with an emailed code', async () => {
      const u = await userWithApp('tfmail');
      const me = u.agent;
      const start = await me.get(`${BASE}/email`).expect(200);
      expect(start.text).toContain(`value="${u.email}"`);
      const second = `second-${u.email}`;

      const bad = await me.post(`${BASE}/email`).type('form').send({ _csrf: u.token, email: 'not-an-address' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('<p id="email-error" class="field-error">Enter an email address');
      const sent = await me.post(`${BASE}/email`).type('form').send({ _csrf: u.token, email: second }).expect(303);
      expect(sent.headers.location).toMatch(new RegExp(`^${BASE}/[0-9a-f-]{36}/code$`));
      const codePage = await me.get(sent.headers.location).expect(200);
      expect(codePage.text).toContain('We sent a 6-digit code by email to <strong>s•••@');
      const action = /<form method="post" action="([^"]+\/confirm)"/.exec(codePage.text)![1];
      // The page names the masked address from the method itself, never words a crafted link brings.
      const crafted = await me.get(`${action.replace(/confirm$/, 'code')}?kind=email&to=Call%20us%20at%20555`);
      expect(crafted.text).not.toContain('Call us');
      expect(crafted.text).toContain('We sent a 6-digit code by email to <strong>s•••@');
      // Another user's pending method is not found.
      const stranger = await userWithApp('tfmailx');
      await stranger.agent.get(action.replace(/confirm$/, 'code')).expect(404);

      const tooSoon = await me
        .post(action.replace(/confirm$/, 'resend'))
        .type('form')
        .send({ _csrf: u.token, kind: 'email', to: 's•••@x' });
      expect(tooSoon.status).toBe(429);
      expect(tooSoon.text).toContain('Too many attempts.');
      const code = await emailedCode(second);
      const wrong = await me
        .post(action)
        .type('form')
        .send({ _csrf: u.token, kind: 'email', code: code === '000000' ? '111111' : '000000' });
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('The code is not correct.');
      const ok = await me.post(action).type('form').send({ _csrf: u.token, kind: 'email', code }).expect(303);
      expect(ok.headers.location).toBe('/account/security?done=method-added');

      const page = await me.get(ok.headers.location).expect(200);
      expect(page.text).toContain('The new two-factor method is set up.');
      expect(page.text).not.toContain('Set up a second one');
      const setDefault = /<form method="post" action="([^"]+\/default)"/.exec(page.text)![1];
      await me.post(setDefault).type('form').send({ _csrf: u.token }).expect(303);
      const after = await me.get('/account/security').expect(200);
      expect(after.text).toMatch(/Email to s•••@[^<]+ <span class="badge badge-blue">Default<\/span>/);

      // Signing in: the default (email) code is sent by itself; the app stays another way. (A code
      // goes to a method at most every 30 seconds, the set-up code included.)
      sut.clock.advance(30_000);
      const { agent, token } = await passwordStep(u.email, USER_PASSWORD);
      const step = await agent.get('/login/mfa').expect(200);
      expect(step.text).toContain('Enter the 6-digit code we sent by email to <strong>s•••@');
      expect(step.text).toContain('Send a new code');
      expect(step.text).toContain('>Use your authenticator app</a>');
      const methodId = /name="methodId" value="([0-9a-f-]{36})"/.exec(step.text)![1];
      const resend = await agent.post('/login/mfa/send').type('form').send({ _csrf: token, methodId });
      expect(resend.status).toBe(429);
      expect(resend.headers['retry-after']).toBeDefined();
      const signedIn = await agent
        .post('/login/mfa')
        .type('form')
        .send({ _csrf: token, methodId, code: await emailedCode(second) })
        .expect(303);
      expect(signedIn.headers.location).toBe('/');
      await agent.get('/account/security').expect(200);
    });

    it('sets up text messages, changes a method for another and removes the old one with the password', async () => {
      const u = await userWithApp('tfsms');
      const me = u.agent;
      const phone = '+14155550123';
      const bad = await me.post(`${BASE}/sms`).type('form').send({ _csrf: u.token, phone: '12345' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('<p id="phone-error" class="field-error">Enter a valid mobile phone number');
      const sent = await me.post(`${BASE}/sms`).type('form').send({ _csrf: u.token, phone }).expect(303);
      const codePage = await me.get(sent.headers.location).expect(200);
      expect(codePage.text).toContain('We sent a 6-digit code by text message to <strong>+14 ••• 0123</strong>');
      expect(codePage.text).toContain('>Use a different number</a>');
      const action = /<form method="post" action="([^"]+\/confirm)"/.exec(codePage.text)![1];
      await me
        .post(action)
        .type('form')
        .send({ _csrf: u.token, kind: 'sms', code: await textedCode(phone) })
        .expect(303);
      const again = await me.post(`${BASE}/sms`).type('form').send({ _csrf: u.token, phone });
      expect(again.status).toBe(409);
      expect(again.text).toContain('is set up already.');

      // Change the phone: set up the new one, then remove the old one.
      const page = await me.get('/account/security').expect(200);
      const change =
        /href="([^"]+\/sms\?replace=([0-9a-f-]{36}))" aria-label="Change Text message to \+14 ••• 0123"/.exec(
          decoded(page.text),
        )!;
      const oldId = change[2];
      const form = await me.get(change[1]).expect(200);
      expect(form.text).toContain('Change to text messages');
      expect(form.text).toContain(`<input type="hidden" name="replace" value="${oldId}">`);
      const other = '+442079460958';
      const changed = await me
        .post(`${BASE}/sms`)
        .type('form')
        .send({ _csrf: u.token, phone: other, replace: oldId })
        .expect(303);
      expect(changed.headers.location).toContain(`replace=${oldId}`);
      const newPage = await me.get(changed.headers.location).expect(200);
      const newAction = /<form method="post" action="([^"]+\/confirm)"/.exec(newPage.text)![1];
      const confirmed = await me
        .post(newAction)
        .type('form')
        .send({ _csrf: u.token, kind: 'sms', replace: oldId, code: await textedCode(other) })
        .expect(303);
      expect(confirmed.headers.location).toBe(`${BASE}/${oldId}/remove?added=1`);
      const remove = await me.get(confirmed.headers.location).expect(200);
      expect(remove.text).toContain('Your new method is set up. To finish the change, remove the one it replaces');
      expect(remove.text).toContain('>Keep both</a>');
      const removed = await me
        .post(`${BASE}/${oldId}/remove`)
        .type('form')
        .send({ _csrf: u.token, password: USER_PASSWORD })
        .expect(303);
      expect(removed.headers.location).toBe('/account/security?done=method-removed');
      const final = await me.get(removed.headers.location).expect(200);
      expect(final.text).toContain('Text message to +44 ••• 0958');
      expect(final.text).not.toContain('+14 ••• 0123');
      await me.get(`${BASE}/${oldId}/remove`).expect(404);
    });

    it('creates new recovery codes and turns 2FA off, each after the password', async () => {
      const u = await userWithApp('tfoff2');
      const me = u.agent;
      const other = await passwordStep(u.email, USER_PASSWORD);
      nextStep();
      const otherStep = await other.agent.get('/login/mfa').expect(200);
      await other.agent
        .post('/login/mfa')
        .type('form')
        .send({
          _csrf: other.token,
          methodId: /name="methodId" value="([0-9a-f-]{36})"/.exec(otherStep.text)![1],
          code: appCode(u.secret),
        })
        .expect(303);

      expect((await me.get(`${BASE}/recovery-codes`).expect(200)).text).toContain(
        'Your current recovery codes stop working',
      );
      const wrong = await me.post(`${BASE}/recovery-codes`).type('form').send({ _csrf: u.token, password: 'nope' });
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('That password is not correct.');
      const fresh = await me
        .post(`${BASE}/recovery-codes`)
        .type('form')
        .send({ _csrf: u.token, password: USER_PASSWORD })
        .expect(200);
      const codes = [...fresh.text.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
      expect(codes).toHaveLength(10);
      expect(codes).not.toContain(u.codes[0]);
      expect(fresh.text).toContain('your previous codes no longer work');
      expect(decoded(fresh.text)).toContain('href="/account/security?done=codes-created"');

      const turnOff = await me.get(`${BASE}/turn-off`).expect(200);
      expect(turnOff.text).toContain('Every other device signed in to your account is signed out.');
      const off = await me
        .post(`${BASE}/turn-off`)
        .type('form')
        .send({ _csrf: u.token, password: USER_PASSWORD })
        .expect(303);
      expect(off.headers.location).toBe('/account/security?done=mfa-off');
      const page = await me.get(off.headers.location).expect(200);
      expect(page.text).toContain('Two-factor authentication is off.');
      expect(page.text).toContain('<span class="badge badge-grey">Off</span>');
      expect((await other.agent.get('/account/profile').expect(303)).headers.location).toMatch(/^\/login/);
      await sut.settle();
      expect(await mailsTo(sut.dataDir, u.email, 'Two-factor authentication has been disabled')).toHaveLength(1);
      const { res } = await passwordStep(u.email, USER_PASSWORD);
      expect(res.headers.location).toBe('/');
    });
  });

  describe('confirm it is you', () => {
    it('asks for the password or an app code before a method is added, then goes on', async () => {
      const u = await userWithApp('sudo');
      const me = u.agent;
      // Fresh from sign-in: straight to the form.
      await me.get(`${BASE}/email`).expect(200);

      sut.clock.advance(11 * 60_000);
      const asked = await me.get(`${BASE}/email`).expect(303);
      expect(asked.headers.location).toBe(`${BASE}/confirm-identity?next=%2Faccount%2Fsecurity%2Ftwo-factor%2Femail`);
      // A form posted after the window closed goes the same way, and changes nothing.
      const posted = await me.post(`${BASE}/email`).type('form').send({ _csrf: u.token, email: u.email }).expect(303);
      expect(posted.headers.location).toBe(asked.headers.location);
      const methodId = /name="methodId" value="([0-9a-f-]{36})"/;
      const page = await me.get(asked.headers.location).expect(200);
      expect(page.text).toContain('Confirm it is you');
      expect(page.text).toMatch(methodId);
      expect(decoded(page.text)).toContain('name="next" value="/account/security/two-factor/email"');

      const wrong = await me
        .post(`${BASE}/confirm-identity`)
        .type('form')
        .send({ _csrf: u.token, next: '/account/security/two-factor/email', password: 'nope' })
        .expect(400);
      expect(wrong.text).toContain('That password is not correct.');
      const done = await me
        .post(`${BASE}/confirm-identity`)
        .type('form')
        .send({ _csrf: u.token, next: '/account/security/two-factor/email', password: USER_PASSWORD })
        .expect(303);
      expect(done.headers.location).toBe('/account/security/two-factor/email');
      await me.get(done.headers.location).expect(200);

      // With the app's code, and never on to another site.
      sut.clock.advance(11 * 60_000);
      await me.get(`${BASE}/app`).expect(303);
      nextStep();
      const byCode = await me
        .post(`${BASE}/confirm-identity`)
        .type('form')
        .send({
          _csrf: u.token,
          next: '//evil.example.com/',
          methodId: methodId.exec(page.text)![1],
          code: appCode(u.secret),
        })
        .expect(303);
      expect(byCode.headers.location).toBe('/account/security');
      await me.get(`${BASE}/app`).expect(200);
    });

    it('signs the browser out after five wrong passwords in a row', async () => {
      const u = await userWithApp('sudo5');
      const me = u.agent;
      for (let i = 0; i < 4; i++)
        await me
          .post(`${BASE}/confirm-identity`)
          .type('form')
          .send({ _csrf: u.token, password: `wrong ${i}` })
          .expect(400);
      const ended = await me
        .post(`${BASE}/turn-off`)
        .type('form')
        .send({ _csrf: u.token, password: 'wrong 5' })
        .expect(303);
      expect(ended.headers.location).toBe('/login');
      expect((await me.get('/account/security').expect(303)).headers.location).toMatch(/^\/login/);
    });
  });

  describe('the partner’s policy for its staff', () => {
    it('holds staff without 2FA on the set-up until they finish it', async () => {
      const { agent, adminEmail } = await partnerWithAdmin(sut.app, undefined, { requireStaffMfa: true });
      for (const path of ['/partner/customers', '/partner/settings', '/account/profile', '/']) {
        const res = await agent.get(path);
        expect(res.status).toBe(303);
        if (path !== '/') expect(res.headers.location).toBe('/account/security?setup=required');
      }
      const page = await agent.get('/account/security?setup=required').expect(200);
      expect(page.text).toContain(
        '<div class="banner banner-warning" role="status">Your organisation requires two-factor authentication. Set up a method to continue.',
      );
      expect(page.text).toContain('<h1 id="mfa-heading">Two-factor authentication</h1>');
      expect(page.text).not.toContain('Change password');
      expect(page.text).not.toContain('Active sessions');

      const { secret } = await setUpApp(agent);
      await agent.get('/partner/customers').expect(200);
      const security = await agent.get('/account/security').expect(200);
      expect(security.text).not.toContain('banner-warning');
      expect(security.text).toContain('Change password');

      const token = await formToken(agent, `${BASE}/turn-off`);
      const refused = await agent
        .post(`${BASE}/turn-off`)
        .type('form')
        .send({ _csrf: token, password: ADMIN_PASSWORD });
      expect(refused.status).toBe(409);
      expect(refused.text).toContain('Your organisation requires two-factor authentication for its staff');

      const next = await passwordStep(adminEmail, ADMIN_PASSWORD, '/partner/customers');
      expect(next.res.headers.location).toBe('/login/mfa?next=%2Fpartner%2Fcustomers');
      const step = await next.agent.get(next.res.headers.location).expect(200);
      nextStep();
      const ok = await next.agent
        .post('/login/mfa')
        .type('form')
        .send({
          _csrf: next.token,
          next: '/partner/customers',
          methodId: /name="methodId" value="([0-9a-f-]{36})"/.exec(step.text)![1],
          code: appCode(secret),
        })
        .expect(303);
      expect(ok.headers.location).toBe('/partner/customers');
      await next.agent.get('/partner/customers').expect(200);
    });

    it('is set on the settings page by partner admins; support staff read it', async () => {
      const { agent, partnerId, adminEmail } = await partnerWithAdmin(sut.app);
      const page = await agent.get('/partner/settings').expect(200);
      expect(page.text).toContain('<a href="/partner/settings" aria-current="page">Settings</a>');
      expect(page.text).toMatch(
        /<input id="requireStaffMfa" name="requireStaffMfa" type="checkbox" value="yes" aria-describedby/,
      );
      expect(page.text).toContain('Require two-factor authentication for partner staff');
      expect(page.text).toContain('You have not set up two-factor authentication yourself yet');
      const token = csrfOf(page.text);
      await agent.post('/partner/settings').type('form').send({ requireStaffMfa: 'yes' }).expect(403);

      const saved = await agent
        .post('/partner/settings')
        .type('form')
        .send({ _csrf: token, requireStaffMfa: 'yes' })
        .expect(303);
      expect(saved.headers.location).toBe('/partner/settings?done=saved');
      const on = await agent.get(saved.headers.location).expect(200);
      expect(on.text).toContain('Settings saved.');
      expect(on.text).toMatch(/type="checkbox" value="yes" checked aria-describedby/);
      expect((await agent.get('/api/v1/partner/settings').expect(200)).body).toMatchObject({ requireStaffMfa: true });
      // The admin's own session goes on: the policy applies from each sign-in on.
      await agent.get('/partner/customers').expect(200);

      const support = await supportUser(sut.app, partnerId, `support@${adminEmail.split('@')[1]}`);
      expect((await support.get('/partner/settings').expect(303)).headers.location).toBe(
        '/account/security?setup=required',
      );
      await agent.post('/partner/settings').type('form').send({ _csrf: token }).expect(303);
      expect((await agent.get('/api/v1/partner/settings').expect(200)).body).toMatchObject({ requireStaffMfa: false });

      const reader = await supportUser(sut.app, partnerId, `reader@${adminEmail.split('@')[1]}`);
      const readOnly = await reader.get('/partner/settings').expect(200);
      expect(readOnly.text).toMatch(/type="checkbox" value="yes" disabled aria-describedby/);
      expect(readOnly.text).toContain('Only partner admins can change these settings.');
      expect(readOnly.text).not.toContain('Save settings');
      await reader
        .post('/partner/settings')
        .type('form')
        .send({ _csrf: csrfOf(readOnly.text), requireStaffMfa: 'yes' })
        .expect(403);
      expect((await agent.get('/api/v1/partner/settings').expect(200)).body).toMatchObject({ requireStaffMfa: false });
    });
  });

  describe('an owner who lost every factor', () => {
    it('lets the partner admin turn 2FA off after a notice; support staff cannot', async () => {
      const co = await companyWithAdmin(sut.app, 'tflost');
      await setUpApp(co.admin.agent);
      const path = `/partner/customers/${co.customerId}/accounts/${co.admin.id}`;
      const page = await co.partnerAgent.get(path).expect(200);
      expect(page.text).toContain(`href="${path}/two-factor/turn-off"`);

      const notice = await co.partnerAgent.get(`${path}/two-factor/turn-off`).expect(200);
      expect(notice.text).toContain('Turn off two-factor authentication for');
      expect(notice.text).toContain('Every device signed in to the account is signed out.');
      const support = await supportUser(sut.app, co.partnerId, `support@${co.customerId}.example.com`);
      await support.get(`${path}/two-factor/turn-off`).expect(403);

      const done = await co.partnerAgent
        .post(`${path}/two-factor/turn-off`)
        .type('form')
        .send({ _csrf: csrfOf(notice.text) })
        .expect(303);
      expect(done.headers.location).toBe(`${path}?done=mfa-off`);
      const after = await co.partnerAgent.get(done.headers.location).expect(200);
      expect(after.text).toContain('Two-factor authentication is off for this account.');
      expect(after.text).not.toContain('/two-factor/turn-off"');
      await co.admin.agent.get('/api/v1/auth/session').expect(401);
      // Once off, the notice says so instead of offering OK.
      const again = await co.partnerAgent.get(`${path}/two-factor/turn-off`).expect(200);
      expect(again.text).toContain('Two-factor authentication is not on for this account.');
    });
  });
});
