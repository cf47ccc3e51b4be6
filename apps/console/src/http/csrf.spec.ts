import { ForbiddenException } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { AppConfig } from '@lmp/config';
import { PENDING_COOKIE, SESSION_COOKIE } from '@lmp/identity';
import { CSRF_COOKIE, CSRF_FIELD, CsrfService, safeNext, SECURE_CSRF_COOKIE } from './csrf';

describe('safeNext', () => {
  it.each(['/', '/x', '/customers/42?tab=licenses', '/a\\b'])('keeps the local path %j', (next) => {
    expect(safeNext(next)).toBe(next);
  });

  it.each([
    ['a protocol-relative URL', '//evil.com'],
    ['a backslash that browsers read as a slash', '/\\evil.com'],
    ['an absolute http URL', 'http://evil'],
    ['an absolute https URL', 'https://evil.example/login'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'customers'],
    ['an empty string', ''],
  ])('falls back for %s', (_label, next) => {
    expect(safeNext(next)).toBe('/');
  });

  it.each([[undefined], [null], [42], [['/x']], [{ next: '/x' }]])('falls back for the non-string %j', (next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('falls back for a path longer than 500 characters', () => {
    expect(safeNext('/' + 'a'.repeat(500))).toBe('/');
    expect(safeNext('/' + 'a'.repeat(499))).toBe('/' + 'a'.repeat(499));
  });

  it('uses the fallback it is given', () => {
    expect(safeNext('//evil.com', '/home')).toBe('/home');
  });
});

interface CookieCall {
  name: string;
  value: string;
  options: CookieOptions;
}

function fakeRes() {
  const cookies: CookieCall[] = [];
  const res = {
    cookie: (name: string, value: string, options: CookieOptions) => {
      cookies.push({ name, value, options });
      return res;
    },
  };
  return { res: res as unknown as Response, cookies };
}

const fakeReq = (cookies?: Record<string, string>, body?: Record<string, unknown>) =>
  ({ cookies, body }) as unknown as Request;

describe(CsrfService.name, () => {
  const config = (secureCookies = false) =>
    ({ sessionSecret: 'test-session-secret-0123456789abcdef', secureCookies }) as AppConfig;
  let sut: CsrfService;

  beforeEach(() => {
    sut = new CsrfService(config());
  });

  /** Simulates a browser: the first page sets the cookie, the form posts the token back. */
  function issue() {
    const { res, cookies } = fakeRes();
    const token = sut.token(fakeReq({}), res);
    return { token, seed: cookies[0]?.value, cookies };
  }

  describe('token', () => {
    it('sets an httpOnly, SameSite=Lax cookie when the browser has none', () => {
      const { cookies } = issue();

      expect(cookies).toHaveLength(1);
      expect(cookies[0].name).toBe(CSRF_COOKIE);
      expect(cookies[0].value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookies[0].options).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: false, path: '/' });
    });

    it('uses a Secure __Host- cookie when the console runs on https', () => {
      sut = new CsrfService(config(true));

      const { cookies } = issue();

      expect(cookies[0].name).toBe(SECURE_CSRF_COOKIE);
      expect(cookies[0].options).toMatchObject({ secure: true, path: '/' });
      expect(cookies[0].options.domain).toBeUndefined();
    });

    it('reads only the __Host- cookie on https', () => {
      sut = new CsrfService(config(true));
      const { token, seed } = issue();

      expect(() => sut.verify(fakeReq({ [SECURE_CSRF_COOKIE]: seed }, { [CSRF_FIELD]: token }))).not.toThrow();
      expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed }, { [CSRF_FIELD]: token }))).toThrow(ForbiddenException);
    });

    it('does not put the cookie value itself in the form', () => {
      const { token, seed } = issue();

      expect(token).not.toBe(seed);
      expect(token).not.toContain(seed);
    });

    it('keeps an existing cookie and gives the same token for it', () => {
      const { token, seed } = issue();
      const { res, cookies } = fakeRes();

      const again = sut.token(fakeReq({ [CSRF_COOKIE]: seed }), res);

      expect(cookies).toHaveLength(0);
      expect(again).toBe(token);
    });

    it('replaces a malformed cookie', () => {
      const { res, cookies } = fakeRes();

      sut.token(fakeReq({ [CSRF_COOKIE]: 'attacker-chosen' }), res);

      expect(cookies).toHaveLength(1);
      expect(cookies[0].value).not.toBe('attacker-chosen');
    });

    it('gives each browser its own cookie', () => {
      expect(issue().seed).not.toBe(issue().seed);
    });
  });

  describe('verify', () => {
    it('accepts the token that matches the cookie', () => {
      const { token, seed } = issue();

      expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed }, { [CSRF_FIELD]: token }))).not.toThrow();
    });

    it('rejects a token issued for another cookie', () => {
      const mine = issue();
      const theirs = issue();

      expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: mine.seed }, { [CSRF_FIELD]: theirs.token }))).toThrow(
        ForbiddenException,
      );
    });

    it('rejects a token signed under another session secret', () => {
      const { seed } = issue();
      const other = new CsrfService({ ...config(), sessionSecret: 'another-secret-another-secret-xx' });
      const forged = other.token(fakeReq({ [CSRF_COOKIE]: seed }), fakeRes().res);

      expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed }, { [CSRF_FIELD]: forged }))).toThrow(ForbiddenException);
    });

    it('rejects a form without a token', () => {
      const { seed } = issue();

      expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed }, {}))).toThrow(ForbiddenException);
      expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed }, undefined))).toThrow(ForbiddenException);
    });

    it('rejects a token without the cookie', () => {
      const { token } = issue();

      expect(() => sut.verify(fakeReq({}, { [CSRF_FIELD]: token }))).toThrow(ForbiddenException);
      expect(() => sut.verify(fakeReq(undefined, { [CSRF_FIELD]: token }))).toThrow(ForbiddenException);
    });

    it('rejects the cookie value posted back as the token', () => {
      const { seed } = issue();

      expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed }, { [CSRF_FIELD]: seed }))).toThrow(ForbiddenException);
    });

    it('rejects a token of the wrong type or length', () => {
      const { token, seed } = issue();

      for (const sent of [[token], token.slice(1), token + 'x', '']) {
        expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed }, { [CSRF_FIELD]: sent }))).toThrow(ForbiddenException);
      }
    });

    describe('binds the token to the sign-in state', () => {
      const session = (raw: string) => ({ [SESSION_COOKIE]: raw });
      const tokenFor = (jar: Record<string, string>) => sut.token(fakeReq(jar), fakeRes().res);

      it("refuses an anonymous visitor's token once a session cookie is present", () => {
        const { token, seed } = issue();

        expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed, ...session('s1') }, { [CSRF_FIELD]: token }))).toThrow(
          ForbiddenException,
        );
      });

      it("refuses one session's token in another and takes it in its own", () => {
        const { seed } = issue();
        const mine = tokenFor({ [CSRF_COOKIE]: seed, ...session('s1') });

        expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed, ...session('s2') }, { [CSRF_FIELD]: mine }))).toThrow(
          ForbiddenException,
        );
        expect(() =>
          sut.verify(fakeReq({ [CSRF_COOKIE]: seed, ...session('s1') }, { [CSRF_FIELD]: mine })),
        ).not.toThrow();
      });

      it('binds a pending second step to its own cookie, and the session wins when both are present', () => {
        const { seed } = issue();
        const pending = tokenFor({ [CSRF_COOKIE]: seed, [PENDING_COOKIE]: 'p1' });

        expect(() =>
          sut.verify(fakeReq({ [CSRF_COOKIE]: seed, [PENDING_COOKIE]: 'p1' }, { [CSRF_FIELD]: pending })),
        ).not.toThrow();
        expect(() =>
          sut.verify(fakeReq({ [CSRF_COOKIE]: seed, [PENDING_COOKIE]: 'p2' }, { [CSRF_FIELD]: pending })),
        ).toThrow(ForbiddenException);
        expect(() => sut.verify(fakeReq({ [CSRF_COOKIE]: seed }, { [CSRF_FIELD]: pending }))).toThrow(
          ForbiddenException,
        );
        const signedIn = tokenFor({ [CSRF_COOKIE]: seed, ...session('s1'), [PENDING_COOKIE]: 'p1' });
        expect(() =>
          sut.verify(
            fakeReq({ [CSRF_COOKIE]: seed, ...session('s1'), [PENDING_COOKIE]: 'p9' }, { [CSRF_FIELD]: signedIn }),
          ),
        ).not.toThrow();
      });
    });

    it('tells the person what to do', () => {
      expect(() => sut.verify(fakeReq({}, {}))).toThrow('The form expired. Reload the page and try again.');
    });
  });
});
