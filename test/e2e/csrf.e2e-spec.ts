import { Controller, HttpCode, INestApplication, Post } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '@lmp/config';
import { ConsoleModule } from '../../apps/console/src/console.module';
import { configureApp } from '../../apps/console/src/http/configure-app';
import { RunningConsole, startConsole } from '../support/console-app';
import { ADMIN_PASSWORD, partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';

const EXPIRED = 'The form expired. Reload the page and try again.';
const SOME_ID = '0f0f0f0f-0000-4000-8000-000000000009';

const setCookies = (res: request.Response): string[] => ([] as string[]).concat(res.headers['set-cookie'] ?? []);
const cookieValue = (res: request.Response, name: string): string | undefined =>
  setCookies(res)
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    .slice(name.length + 1);
const tokenOf = (res: request.Response): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match) throw new Error(`no CSRF token (status ${res.status})`);
  return match[1];
};

/** A browser's form: the CSRF cookie and the token its page carried, with or without a session. */
interface Form {
  csrfCookie: string;
  token: string;
}

/**
 * Every unsafe route that is not under /api, as the Nest router mounted it. The `{*path}`
 * entries are the middleware (sessions, metrics) that runs before every route, not handlers.
 */
function pageFormRoutes(app: INestApplication): Array<{ method: string; path: string }> {
  interface Layer {
    route?: { path: string | string[]; methods: Record<string, boolean> };
  }
  const router = (app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router;
  const routes: Array<{ method: string; path: string }> = [];
  for (const layer of router.stack) {
    if (!layer.route) continue;
    for (const path of ([] as string[]).concat(layer.route.path)) {
      for (const method of Object.keys(layer.route.methods)) {
        if (['post', 'put', 'patch', 'delete'].includes(method) && !path.startsWith('/api/') && !path.includes('{*'))
          routes.push({ method, path });
      }
    }
  }
  return routes;
}

/** A form route whose handler checks nothing itself: the guard must still refuse it. */
@Controller('forgetful')
class ForgetfulController {
  static calls = 0;

  @Post()
  @HttpCode(200)
  post() {
    ForgetfulController.calls++;
    return 'changed';
  }
}

describe('CSRF on page forms', () => {
  let sut: RunningConsole;

  beforeAll(async () => {
    sut = await startConsole();
  });
  afterAll(() => sut.close());

  /** The login page's form as an anonymous visitor gets it. */
  async function anonymousForm(): Promise<Form> {
    const page = await api(sut.app).get('/login').expect(200);
    return { csrfCookie: cookieValue(page, 'lmp_csrf')!, token: tokenOf(page) };
  }

  /** A page's form as a signed-in user gets it, with that user's session cookie. */
  async function signedInForm(session: string, path = '/account/security'): Promise<Form> {
    const page = await api(sut.app).get(path).set('Cookie', session).expect(200);
    return { csrfCookie: cookieValue(page, 'lmp_csrf')!, token: tokenOf(page) };
  }

  async function partnerAdminSession(): Promise<string> {
    const { adminEmail } = await partnerWithAdmin(sut.app);
    const res = await api(sut.app).post('/api/v1/auth/login').send({ email: adminEmail, password: ADMIN_PASSWORD });
    return `lmp_session=${cookieValue(res, 'lmp_session')}`;
  }

  const logout = (cookies: string, token: string) =>
    api(sut.app).post('/logout').set('Cookie', cookies).type('form').send({ _csrf: token });

  it("refuses an anonymous visitor's token together with a signed-in partner admin's cookie", async () => {
    const anonymous = await anonymousForm();
    const session = await partnerAdminSession();

    const res = await logout(`lmp_csrf=${anonymous.csrfCookie}; ${session}`, anonymous.token);

    expect(res.status).toBe(403);
    expect(res.text).toContain(EXPIRED);
    // The session is still alive: the forged sign-out changed nothing.
    await api(sut.app).get('/account/security').set('Cookie', session).expect(200);
  });

  it("refuses one session's token in another session, and takes each session's own", async () => {
    const mine = await partnerAdminSession();
    const theirs = await partnerAdminSession();
    const form = await signedInForm(mine);

    const crossed = await logout(`lmp_csrf=${form.csrfCookie}; ${theirs}`, form.token);
    expect(crossed.status).toBe(403);
    expect(crossed.text).toContain(EXPIRED);
    await api(sut.app).get('/account/security').set('Cookie', theirs).expect(200);

    const own = await logout(`lmp_csrf=${form.csrfCookie}; ${mine}`, form.token);
    expect(own.status).toBe(303);
    expect(own.headers.location).toBe('/login');
    const after = await api(sut.app).get('/account/security').set('Cookie', mine);
    expect(after.status).toBe(303);
  });

  it('keeps the sign-in form working: the anonymous token signs in, then pages carry new tokens', async () => {
    const { adminEmail } = await partnerWithAdmin(sut.app);
    const agent = request.agent(sut.app.getHttpServer());
    const login = tokenOf(await agent.get('/login').expect(200));
    const signedIn = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: login, email: adminEmail, password: ADMIN_PASSWORD, next: '/account/security' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/account/security');

    // The login page's token belonged to the anonymous visit, not to the new session.
    const stale = await agent.post('/logout').type('form').send({ _csrf: login });
    expect(stale.status).toBe(403);
    const fresh = tokenOf(await agent.get('/account/security').expect(200));
    expect(fresh).not.toBe(login);
    await agent.post('/logout').type('form').send({ _csrf: fresh }).expect(303);
  });

  it('refuses a post without a token on every page form route, except the one-click unsubscribe', async () => {
    const session = await partnerAdminSession();
    const routes = pageFormRoutes(sut.app);
    expect(routes.length).toBeGreaterThanOrEqual(39);
    expect(routes).toContainEqual({ method: 'post', path: '/logout' });
    const answers: Record<string, number> = {};
    for (const { method, path } of routes) {
      const url = path.replace(/:[A-Za-z]+/g, SOME_ID);
      const post = request(sut.app.getHttpServer())[method as 'post'](url);
      const res = await post.set('Cookie', session).type('form').send({ any: 'thing' });
      answers[`${method.toUpperCase()} ${path}`] = res.status;
    }
    const refused = Object.fromEntries(Object.keys(answers).map((k) => [k, 403]));
    // RFC 8058: the mail client posts without a page, so the signed link alone authorises it.
    refused['POST /unsubscribe'] = 400;
    expect(answers).toEqual(refused);
  });
});

describe('CSRF on a form route that forgets to check', () => {
  let app: INestApplication;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lmp-test-'));
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'http://console.test',
      DEMO_ON_FIRST_START: 'false',
      DATA_DIR: dataDir,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConsoleModule.forRoot(config)],
      controllers: [ForgetfulController],
    }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
    configureApp(app, config);
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is refused with 403 before its handler runs, and taken with a token', async () => {
    const res = await api(app).post('/forgetful').type('form').send({ any: 'thing' });
    expect(res.status).toBe(403);
    expect(ForgetfulController.calls).toBe(0);

    const agent = request.agent(app.getHttpServer());
    const token = tokenOf(await agent.get('/login').expect(200));
    await agent.post('/forgetful').type('form').send({ _csrf: token }).expect(200);
    expect(ForgetfulController.calls).toBe(1);
  });
});

describe('the CSRF cookie under https', () => {
  let sut: RunningConsole;

  beforeAll(async () => {
    sut = await startConsole({ PUBLIC_URL: 'https://console.test' });
  });
  afterAll(() => sut.close());

  it('is a __Host- cookie: Secure, Path=/, no Domain, and the form posts with it', async () => {
    const page = await api(sut.app).get('/login').expect(200);
    const cookie = setCookies(page).find((c) => c.startsWith('__Host-lmp_csrf='));
    expect(cookie).toBeDefined();
    const attributes = cookie!.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=lax']));
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
    expect(setCookies(page).some((c) => c.startsWith('lmp_csrf='))).toBe(false);

    const seed = cookieValue(page, '__Host-lmp_csrf');
    const signIn = await api(sut.app)
      .post('/login')
      .set('Cookie', `__Host-lmp_csrf=${seed}`)
      .type('form')
      .send({ _csrf: tokenOf(page), email: 'nobody@example.com', password: 'wrong password' });
    expect(signIn.status).toBe(401);
    const plain = await api(sut.app)
      .post('/login')
      .set('Cookie', `lmp_csrf=${seed}`)
      .type('form')
      .send({ _csrf: tokenOf(page), email: 'nobody@example.com', password: 'wrong password' });
    expect(plain.status).toBe(403);
  });
});
