import { Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { BackgroundTasks, NotFoundProblem, ProblemException, RateLimitedProblem, ValidationProblem } from '@lmp/common';
import { User } from '@lmp/database';
import {
  AuthService,
  EmailVerificationService,
  InvalidCode,
  InvalidCredentials,
  MfaSignInService,
  PasswordResetService,
  PENDING_COOKIE,
  SESSION_COOKIE,
  SessionService,
  SignInStart,
} from '@lmp/identity';
import { MfaLoginDto, MfaSendDto } from '../auth/dto';
import { CsrfService, safeNext } from '../http/csrf';
import { AppRequest, meta } from '../http/request-context';
import { THROTTLE } from '../http/throttles';
import { PageRenderer } from '../web/page-renderer';
import { PageErrorFilter } from '../web/page-error.filter';
import { queryText, urlWith } from '../web/format';
import { parseForm } from '../web/forms';
import { pendingCookie, setPendingCookie, setSignedInCookies } from '../auth/sign-in-cookies';
import { RECOVERY_CODE_FORM, SECOND_STEP_NOTICES, secondStep, SIGN_IN_CODE_FORM, WRONG_CODE } from './sign-in-mfa';

type Form = Record<string, string | undefined>;

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Notices shown once after a redirect (`?notice=`), so that a reload does not repeat a POST. */
const NOTICES: Record<string, string> = {
  'password-set': 'Your new password is set, and you are signed in. Every other device was signed out.',
  verified: 'Your email address is verified.',
  'verification-sent': 'We sent a new verification email. The link in it works for 24 hours.',
};

/** Why the sign-in form is shown again (`?notice=`): the second step ended without a session. */
const SIGN_IN_INFO: Record<string, string> = {
  'mfa-ended':
    'Your sign-in ended: too many wrong codes, or more than 10 minutes passed. Sign in again with your password.',
};

/** One of a page's fixed texts by its key; nothing for any other value. */
const fixedText = (texts: Record<string, string>, key: unknown): string | undefined =>
  typeof key === 'string' && Object.hasOwn(texts, key) ? texts[key] : undefined;

type PendingSignIn = NonNullable<Awaited<ReturnType<MfaSignInService['pending']>>>;

interface SecondStepAsk {
  methodId?: string;
  recovery: boolean;
  next: string;
  notice?: string;
  error?: string;
}

/**
 * Sign-in (with its second step when two-factor authentication is on), sign-out, the start page
 * and the password link pages. Forms post back with a CSRF token.
 */
@Controller()
@UseFilters(PageErrorFilter)
export class PagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly csrf: CsrfService,
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly resets: PasswordResetService,
    private readonly verification: EmailVerificationService,
    private readonly background: BackgroundTasks,
    private readonly mfaSignIn: MfaSignInService,
  ) {}

  /** Where each kind of user starts: partner staff in their customer list, operators at the queues. */
  @Get()
  home(@Req() req: AppRequest, @Res() res: Response, @Query('notice') notice?: string) {
    if (!req.auth) return res.redirect(303, '/login');
    const u = req.auth.user;
    if (u.partnerId) return res.redirect(303, '/partner/customers');
    if (u.role === 'platform_admin') return res.redirect(303, '/ops/queues');
    const unverified = u.emailVerifiedAt === null;
    this.pages.send(res, 'auth/home', {
      title: 'Welcome',
      user: { name: `${u.firstName} ${u.lastName}`.trim() || u.email, email: u.email, role: u.role.replace('_', ' ') },
      csrf: this.csrf.token(req, res),
      signedIn: true,
      notice: notice ? NOTICES[notice] : undefined,
      banner: unverified
        ? {
            kind: 'warning',
            text: 'Your email address is not verified.',
            action: { url: '/verify-email/resend', label: 'Resend verification email' },
          }
        : undefined,
    });
  }

  /** The banner's button: a new verification link for the signed-in user. */
  @Post('verify-email/resend')
  resendVerification(@Req() req: AppRequest, @Res() res: Response) {
    if (!req.auth) return res.redirect(303, '/login');
    const email = req.auth.user.email;
    this.background.run('resend-verification', () => this.verification.resend(email, meta(req)));
    res.redirect(303, '/?notice=verification-sent');
  }

  @Get('login')
  loginForm(@Req() req: Request, @Res() res: Response, @Query('next') next?: string, @Query('notice') notice?: string) {
    this.pages.send(res, 'auth/login', {
      title: 'Sign in',
      csrf: this.csrf.token(req, res),
      next: safeNext(next),
      notice: notice ? NOTICES[notice] : undefined,
      info: fixedText(SIGN_IN_INFO, notice),
    });
  }

  /** After the password: the full session, or the second step when 2FA is on. */
  @Post('login')
  async login(@Req() req: Request, @Res() res: Response) {
    const form = req.body as Form;
    const email = str(form.email).slice(0, 254);
    const password = str(form.password).slice(0, 1024);
    const next = safeNext(form.next);
    const again = (error: string, status: number) =>
      this.pages.send(
        res,
        'auth/login',
        { title: 'Sign in', csrf: this.csrf.token(req, res), next, email, error },
        status,
      );
    let user: User;
    try {
      if (!email || !password) throw new InvalidCredentials();
      user = await this.auth.verifyCredentials(email, password, meta(req));
    } catch (err) {
      if (err instanceof InvalidCredentials) return again('The email or password is incorrect.', 401);
      if (err instanceof RateLimitedProblem) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
        return again(err.problem.detail ?? 'Too many attempts. Try again later.', 429);
      }
      throw err;
    }
    const start = await this.mfaSignIn.begin(user, meta(req));
    res.redirect(303, this.afterPassword(res, user, start, next));
  }

  // ---- The second step of signing in ----

  /** The code form of the pending sign-in; without one, back to the password form. */
  @Get('login/mfa')
  async secondStepForm(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>) {
    const pending = await this.mfaSignIn.pending(pendingCookie(req));
    if (!pending) return this.signInAgain(req, res);
    this.secondStepPage(req, res, pending, {
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
  async secondStep(@Req() req: Request, @Res() res: Response) {
    const body = req.body as Form;
    const recovery = body.recovery === '1';
    const ask: SecondStepAsk = { methodId: str(body.methodId) || undefined, recovery, next: safeNext(body.next) };
    const form = parseForm(MfaLoginDto, body, recovery ? RECOVERY_CODE_FORM : SIGN_IN_CODE_FORM);
    if (!form.ok) return this.secondStepAgain(req, res, { ...ask, error: Object.values(form.errors)[0] }, 400);
    const factor = recovery
      ? { recoveryCode: form.value.recoveryCode! }
      : { methodId: form.value.methodId!, code: form.value.code! };
    let done: { raw: string; user: User };
    try {
      done = await this.mfaSignIn.complete(pendingCookie(req), factor, meta(req));
    } catch (err) {
      if (err instanceof RateLimitedProblem) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
        return this.secondStepAgain(req, res, { ...ask, error: err.problem.detail }, 429);
      }
      if (!(err instanceof InvalidCode)) throw err;
      return this.secondStepAgain(req, res, { ...ask, error: WRONG_CODE }, 401);
    }
    res.clearCookie(PENDING_COOKIE, this.sessions.cookieOptions());
    setSignedInCookies(res, done.raw, this.auth.deviceProof(done.user), this.sessions.cookieOptions());
    res.redirect(303, ask.next);
  }

  /** "Send a new code", and "Try another way" by text message or email. */
  @Post('login/mfa/send')
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.mfa)
  async sendCode(@Req() req: Request, @Res() res: Response) {
    const body = req.body as Form;
    const next = safeNext(body.next);
    const form = parseForm(MfaSendDto, body, { fields: { methodId: 'Choose one of your methods.' } });
    if (!form.ok) throw new NotFoundProblem('two-factor method');
    const { methodId } = form.value;
    try {
      await this.mfaSignIn.send(pendingCookie(req), methodId, meta(req));
    } catch (err) {
      if (err instanceof InvalidCode) return this.signInAgain(req, res);
      if (!(err instanceof RateLimitedProblem)) throw err;
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return this.secondStepAgain(req, res, { methodId, recovery: false, next, error: err.problem.detail }, 429);
    }
    res.redirect(303, urlWith('/login/mfa', { method: methodId, sent: 1, next: next === '/' ? undefined : next }));
  }

  /** Back to the password form: the pending sign-in ends. */
  @Post('login/mfa/cancel')
  async cancelSecondStep(@Req() req: Request, @Res() res: Response) {
    await this.mfaSignIn.cancel(pendingCookie(req));
    res.clearCookie(PENDING_COOKIE, this.sessions.cookieOptions());
    res.redirect(303, '/login');
  }

  @Post('logout')
  async logout(@Req() req: AppRequest, @Res() res: Response) {
    if (req.auth) await this.auth.signOut(req.auth.rawSession, req.auth.user, meta(req));
    res.clearCookie(SESSION_COOKIE, this.sessions.cookieOptions());
    res.redirect(303, '/login');
  }

  /** Shows the form for a reset or invitation link. Never spends the link: mail scanners open them. */
  @Get('reset-password')
  async resetForm(@Req() req: Request, @Res() res: Response, @Query('token') token?: string) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const info = token ? await this.resets.inspect(token) : null;
    if (!info || !token) return this.pages.send(res, 'web/link-invalid', { title: 'Link not valid' }, 400);
    this.pages.send(res, 'self-service/reset-password', this.resetData(req, res, token, info.purpose, info.email));
  }

  /** Spends the link, sets the password and signs the user in on this browser. */
  @Post('reset-password')
  async resetSubmit(@Req() req: Request, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const form = req.body as Form;
    const token = str(form.token);
    const password = str(form.password);
    const info = await this.resets.inspect(token);
    if (!info) return this.pages.send(res, 'web/link-invalid', { title: 'Link not valid' }, 400);
    const again = (errors: Record<string, string>) =>
      this.pages.send(
        res,
        'self-service/reset-password',
        { ...this.resetData(req, res, token, info.purpose, info.email), errors },
        400,
      );
    if (password !== str(form.confirmPassword)) return again({ confirmPassword: 'The two passwords do not match.' });
    let user: User;
    try {
      user = await this.resets.complete(token, password, meta(req));
    } catch (err) {
      if (err instanceof ValidationProblem) {
        return again(Object.fromEntries((err.problem.errors ?? []).map((e) => [e.field, `Password ${e.message}.`])));
      }
      if (err instanceof ProblemException)
        return this.pages.send(res, 'web/link-invalid', { title: 'Link not valid' }, 400);
      throw err;
    }
    // A new password is not a second factor: users with 2FA still give a code.
    const start = await this.mfaSignIn.begin(user, meta(req));
    const next = start.mfaRequired ? '/' : '/?notice=password-set';
    res.redirect(303, this.afterPassword(res, user, start, next, 'password-set'));
  }

  /**
   * The cookies after a correct password, and where to go: the page asked for with a full
   * session, or the second step (saying `notice` there) with a pending one.
   */
  private afterPassword(res: Response, user: User, start: SignInStart, next: string, notice?: string): string {
    if (start.mfaRequired) {
      setPendingCookie(res, start.pendingRaw, this.sessions.cookieOptions());
      return urlWith('/login/mfa', { next: next === '/' ? undefined : next, notice });
    }
    setSignedInCookies(res, start.raw, this.auth.deviceProof(user), this.sessions.cookieOptions());
    return next;
  }

  /** The second step again, after a refused code; back to sign-in when the pending sign-in ended. */
  private async secondStepAgain(req: Request, res: Response, ask: SecondStepAsk, status: number) {
    const pending = await this.mfaSignIn.pending(pendingCookie(req));
    if (!pending) return this.signInAgain(req, res);
    this.secondStepPage(req, res, pending, ask, status);
  }

  /** The password form, saying why when a pending sign-in has just ended. */
  private signInAgain(req: Request, res: Response) {
    const had = pendingCookie(req) !== undefined;
    if (had) res.clearCookie(PENDING_COOKIE, this.sessions.cookieOptions());
    res.redirect(303, had ? '/login?notice=mfa-ended' : '/login');
  }

  private secondStepPage(req: Request, res: Response, pending: PendingSignIn, ask: SecondStepAsk, status = 200) {
    this.pages.send(
      res,
      'auth/login-mfa',
      {
        title: 'Two-step verification',
        csrf: this.csrf.token(req, res),
        email: pending.user.email,
        next: ask.next,
        notice: ask.notice,
        error: ask.error,
        step: secondStep(pending.methods, ask),
      },
      status,
    );
  }

  private resetData(req: Request, res: Response, token: string, purpose: string, email: string) {
    const invitation = purpose === 'invitation';
    return {
      title: invitation ? 'Set your password' : 'Choose a new password',
      heading: invitation ? 'Welcome! Set your password' : 'Choose a new password',
      button: invitation ? 'Set password and sign in' : 'Create new password and sign in',
      email,
      token,
      csrf: this.csrf.token(req, res),
    };
  }
}
