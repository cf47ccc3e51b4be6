import { Controller, Get, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { NotFoundProblem, RateLimitedProblem } from '@lmp/common';
import { User } from '@lmp/database';
import {
  AuthService,
  InvalidCode,
  InvalidCredentials,
  MfaSignInService,
  PENDING_COOKIE,
  SESSION_COOKIE,
  SessionService,
} from '@lmp/identity';
import { safeNext } from '../http/csrf';
import { AppRequest, meta } from '../http/request-context';
import { THROTTLE } from '../http/throttles';
import { queryText, urlWith } from '../web/format';
import { parseForm, str } from '../web/forms';
import { PageErrorFilter } from '../web/page-error.filter';
import { page, PageCookies, PageResult, redirect } from '../web/page-result';
import { afterPassword } from './after-password';
import { MfaLoginDto, MfaSendDto } from './dto';
import { pendingCookie, setSignedInCookies } from './sign-in-cookies';
import { fixedText, NOTICES, SecondStepAsk, secondStepPage, SIGN_IN_INFO } from './sign-in-pages';
import { RECOVERY_CODE_FORM, SECOND_STEP_NOTICES, SIGN_IN_CODE_FORM, WRONG_CODE } from './sign-in-mfa';

type Form = Record<string, string | undefined>;

/** Sign-in, with its second step when two-factor authentication is on, and sign-out. */
@Controller()
@UseFilters(PageErrorFilter)
export class SignInPagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly mfaSignIn: MfaSignInService,
  ) {}

  @Get('login')
  loginForm(@Query('next') next?: string, @Query('notice') notice?: string): PageResult {
    return page(
      'auth/login',
      {
        title: 'Sign in',
        next: safeNext(next),
        notice: notice ? NOTICES[notice] : undefined,
        info: fixedText(SIGN_IN_INFO, notice),
      },
      { csrf: true },
    );
  }

  /** After the password: the full session, or the second step when 2FA is on. */
  @Post('login')
  async login(@Req() req: Request): Promise<PageResult> {
    const form = req.body as Form;
    const email = str(form.email).slice(0, 254);
    const password = str(form.password).slice(0, 1024);
    const next = safeNext(form.next);
    const again = (error: string, status: number, headers?: Record<string, string>) =>
      page('auth/login', { title: 'Sign in', next, email, error }, { csrf: true, status, headers });
    let user: User;
    try {
      if (!email || !password) throw new InvalidCredentials();
      user = await this.auth.verifyCredentials(email, password, meta(req));
    } catch (err) {
      if (err instanceof InvalidCredentials) return again('The email or password is incorrect.', 401);
      if (err instanceof RateLimitedProblem) {
        const detail = err.problem.detail ?? 'Too many attempts. Try again later.';
        return again(detail, 429, { 'Retry-After': String(err.retryAfterSeconds) });
      }
      throw err;
    }
    const start = await this.mfaSignIn.begin(user, meta(req));
    const cookies = new PageCookies();
    const to = afterPassword(cookies, start, next, this.sessions.cookieOptions(), () => this.auth.deviceProof(user));
    return redirect(to, { cookies });
  }

  // ---- The second step of signing in ----

  /** The code form of the pending sign-in; without one, back to the password form. */
  @Get('login/mfa')
  async secondStepForm(@Req() req: Request, @Query() query: Record<string, unknown>): Promise<PageResult> {
    const pending = await this.mfaSignIn.pending(pendingCookie(req));
    if (!pending) return this.signInAgain(req);
    return secondStepPage(pending, {
      methodId: queryText(query.method, 36) || undefined,
      recovery: query.recovery === '1',
      next: safeNext(query.next),
      notice: query.sent === '1' ? 'A new code is on its way.' : fixedText(SECOND_STEP_NOTICES, query.notice),
    });
  }

  /** A code or a recovery code; a fresh session when it is right, one answer for every wrong one. */
  @Post('login/mfa')
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.mfa)
  async secondStep(@Req() req: Request): Promise<PageResult> {
    const body = req.body as Form;
    const recovery = body.recovery === '1';
    const ask: SecondStepAsk = { methodId: str(body.methodId) || undefined, recovery, next: safeNext(body.next) };
    const form = parseForm(MfaLoginDto, body, recovery ? RECOVERY_CODE_FORM : SIGN_IN_CODE_FORM);
    if (!form.ok) return this.secondStepAgain(req, { ...ask, error: Object.values(form.errors)[0] }, 400);
    const factor = recovery
      ? { recoveryCode: form.value.recoveryCode! }
      : { methodId: form.value.methodId!, code: form.value.code! };
    let done: { raw: string; user: User };
    try {
      done = await this.mfaSignIn.complete(pendingCookie(req), factor, meta(req));
    } catch (err) {
      if (err instanceof RateLimitedProblem) {
        const retry = { 'Retry-After': String(err.retryAfterSeconds) };
        return this.secondStepAgain(req, { ...ask, error: err.problem.detail }, 429, retry);
      }
      if (!(err instanceof InvalidCode)) throw err;
      return this.secondStepAgain(req, { ...ask, error: WRONG_CODE }, 401);
    }
    const options = this.sessions.cookieOptions();
    const cookies = new PageCookies().clearCookie(PENDING_COOKIE, options);
    setSignedInCookies(cookies, done.raw, this.auth.deviceProof(done.user), options);
    return redirect(ask.next, { cookies });
  }

  /** "Send a new code", and "Try another way" by text message or email. */
  @Post('login/mfa/send')
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.mfa)
  async sendCode(@Req() req: Request): Promise<PageResult> {
    const body = req.body as Form;
    const next = safeNext(body.next);
    const form = parseForm(MfaSendDto, body, { fields: { methodId: 'Choose one of your methods.' } });
    if (!form.ok) throw new NotFoundProblem('two-factor method');
    const { methodId } = form.value;
    try {
      await this.mfaSignIn.send(pendingCookie(req), methodId, meta(req));
    } catch (err) {
      if (err instanceof InvalidCode) return this.signInAgain(req);
      if (!(err instanceof RateLimitedProblem)) throw err;
      const retry = { 'Retry-After': String(err.retryAfterSeconds) };
      return this.secondStepAgain(req, { methodId, recovery: false, next, error: err.problem.detail }, 429, retry);
    }
    return redirect(urlWith('/login/mfa', { method: methodId, sent: 1, next: next === '/' ? undefined : next }));
  }

  /** Back to the password form: the pending sign-in ends. */
  @Post('login/mfa/cancel')
  async cancelSecondStep(@Req() req: Request): Promise<PageResult> {
    await this.mfaSignIn.cancel(pendingCookie(req));
    return redirect('/login', {
      cookies: new PageCookies().clearCookie(PENDING_COOKIE, this.sessions.cookieOptions()),
    });
  }

  @Post('logout')
  async logout(@Req() req: AppRequest): Promise<PageResult> {
    if (req.auth) await this.auth.signOut(req.auth.rawSession, req.auth.user, meta(req));
    return redirect('/login', {
      cookies: new PageCookies().clearCookie(SESSION_COOKIE, this.sessions.cookieOptions()),
    });
  }

  /** The second step again, after a refused code; back to sign-in when the pending sign-in ended. */
  private async secondStepAgain(
    req: Request,
    ask: SecondStepAsk,
    status: number,
    headers?: Record<string, string>,
  ): Promise<PageResult> {
    const pending = await this.mfaSignIn.pending(pendingCookie(req));
    if (!pending) return this.signInAgain(req);
    return secondStepPage(pending, ask, status, headers);
  }

  /** The password form, saying why when a pending sign-in has just ended. */
  private signInAgain(req: Request): PageResult {
    const had = pendingCookie(req) !== undefined;
    const cookies = new PageCookies();
    if (had) cookies.clearCookie(PENDING_COOKIE, this.sessions.cookieOptions());
    return redirect(had ? '/login?notice=mfa-ended' : '/login', { cookies });
  }
}
