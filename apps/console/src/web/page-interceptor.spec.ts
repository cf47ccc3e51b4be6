import { CallHandler, ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { lastValueFrom, of } from 'rxjs';
import { CsrfService } from '../http/csrf';
import { PageInterceptor } from './page-interceptor';
import { PageRenderer } from './page-renderer';
import { page, PageCookies, redirect } from './page-result';
import { PageShell } from './page-shell';

/** A response that records what the interceptor sets, and Nest's own status call afterwards. */
function fakeResponse() {
  const res = {
    statusCode: 200,
    headers: {} as Record<string, string>,
    cookies: [] as Array<[string, string]>,
    cleared: [] as string[],
    status(code: number) {
      res.statusCode = code;
      return res;
    },
    setHeader(name: string, value: string) {
      res.headers[name.toLowerCase()] = value;
      return res;
    },
    type(t: string) {
      res.headers['content-type'] = t;
      return res;
    },
    location(url: string) {
      res.headers.location = url;
      return res;
    },
    cookie(name: string, value: string) {
      res.cookies.push([name, value]);
      return res;
    },
    clearCookie(name: string) {
      res.cleared.push(name);
      return res;
    },
  };
  return res;
}

describe(PageInterceptor.name, () => {
  const renderer = new PageRenderer();
  const csrf = { token: jest.fn(() => 'tok') } as unknown as CsrfService;
  const shell = { data: jest.fn(async () => ({ csrf: 'tok', shell: { name: 'Kim' } })) } as unknown as PageShell;
  const sut = new PageInterceptor(renderer, csrf, shell);

  async function run(result: unknown) {
    const res = fakeResponse();
    const context = {
      switchToHttp: () => ({ getRequest: () => ({}) as Request, getResponse: () => res as unknown as Response }),
    } as ExecutionContext;
    const next: CallHandler = { handle: () => of(result) };
    const body = await lastValueFrom(sut.intercept(context, next));
    // What Nest does next: the route's fixed status (201 after a POST), then the body.
    (res as unknown as Response).status(201);
    return { res, body };
  }

  it('renders a page in the layout with its own status, which the route default does not override', async () => {
    const { res, body } = await run(page('web/error', { title: 'Refused', detail: 'No.' }, { status: 409 }));

    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toBe('html');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(body).toContain('<title>Refused · LMP</title>');
  });

  it('sends a redirect as 303 with the cookies and headers the handler chose', async () => {
    const cookies = new PageCookies().cookie('lmp_session', 'raw', {}).clearCookie('lmp_pending', {});
    const { res } = await run(redirect('/account', { cookies, headers: { 'Referrer-Policy': 'no-referrer' } }));

    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.cookies).toEqual([['lmp_session', 'raw']]);
    expect(res.cleared).toEqual(['lmp_pending']);
  });

  it('puts a page that asks for the shell inside it, with its CSRF token', async () => {
    const { body } = await run(page('web/error', { title: 'Shelled', detail: '' }, { shell: 'profile' }));

    expect(shell.data).toHaveBeenCalledWith(expect.anything(), expect.anything(), 'profile');
    expect(body).toContain('Kim');
  });

  it('passes the JSON API’s answers through untouched', async () => {
    const { res, body } = await run({ id: 'c1' });

    expect(body).toEqual({ id: 'c1' });
    expect(res.statusCode).toBe(201);
  });
});
