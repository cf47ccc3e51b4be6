import { Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BackgroundTasks, ProblemException, RateLimitedProblem, ValidationProblem } from '@lmp/common';
import { User } from '@lmp/database';
import {
  AuthService,
  EmailVerificationService,
  InvalidCredentials,
  PasswordResetService,
  SESSION_COOKIE,
  SessionService,
} from '@lmp/identity';
import { setDeviceCookie } from '../auth/device-cookie';
import { CsrfService, safeNext } from '../http/csrf';
import { AppRequest, meta } from '../http/request-context';
import { PageRenderer } from '../page-renderer';
import { PageErrorFilter } from './page-error.filter';

type Form = Record<string, string | undefined>;

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Notices shown once after a redirect (`?notice=`), so that a reload does not repeat a POST. */
const NOTICES: Record<string, string> = {
  'password-set': 'Your new password is set, and you are signed in. Every other device was signed out.',
  verified: 'Your email address is verified.',
  'verification-sent': 'We sent a new verification email. The link in it works for 24 hours.',
};

/** Sign-in, sign-out, the start page and the password link pages. Forms post back with a CSRF token. */
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
  ) {}

  /** Where each kind of user starts: partner staff in their customer list, operators at the queues. */
  @Get()
  home(@Req() req: AppRequest, @Res() res: Response, @Query('notice') notice?: string) {
    if (!req.auth) return res.redirect(303, '/login');
    const u = req.auth.user;
    if (u.partnerId) return res.redirect(303, '/partner/customers');
    if (u.role === 'platform_admin') return res.redirect(303, '/ops/queues');
    const unverified = u.emailVerifiedAt === null;
    this.pages.send(res, 'home', {
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
    this.csrf.verify(req);
    if (!req.auth) return res.redirect(303, '/login');
    const email = req.auth.user.email;
    this.background.run('resend-verification', () => this.verification.resend(email, meta(req)));
    res.redirect(303, '/?notice=verification-sent');
  }

  @Get('login')
  loginForm(@Req() req: Request, @Res() res: Response, @Query('next') next?: string, @Query('notice') notice?: string) {
    this.pages.send(res, 'login', {
      title: 'Sign in',
      csrf: this.csrf.token(req, res),
      next: safeNext(next),
      notice: notice ? NOTICES[notice] : undefined,
    });
  }

  @Post('login')
  async login(@Req() req: Request, @Res() res: Response) {
    this.csrf.verify(req);
    const form = req.body as Form;
    const email = str(form.email).slice(0, 254);
    const password = str(form.password).slice(0, 1024);
    const next = safeNext(form.next);
    const again = (error: string, status: number) =>
      this.pages.send(res, 'login', { title: 'Sign in', csrf: this.csrf.token(req, res), next, email, error }, status);
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
    await this.signIn(req, res, user);
    res.redirect(303, next);
  }

  @Post('logout')
  async logout(@Req() req: AppRequest, @Res() res: Response) {
    this.csrf.verify(req);
    if (req.auth) await this.auth.signOut(req.auth.rawSession, req.auth.user, meta(req));
    res.clearCookie(SESSION_COOKIE, this.sessions.cookieOptions());
    res.redirect(303, '/login');
  }

  /** Shows the form for a reset or invitation link. Never spends the link: mail scanners open them. */
  @Get('reset-password')
  async resetForm(@Req() req: Request, @Res() res: Response, @Query('token') token?: string) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const info = token ? await this.resets.inspect(token) : null;
    if (!info || !token) return this.pages.send(res, 'link-invalid', { title: 'Link not valid' }, 400);
    this.pages.send(res, 'reset-password', this.resetData(req, res, token, info.purpose, info.email));
  }

  /** Spends the link, sets the password and signs the user in on this browser. */
  @Post('reset-password')
  async resetSubmit(@Req() req: Request, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    this.csrf.verify(req);
    const form = req.body as Form;
    const token = str(form.token);
    const password = str(form.password);
    const info = await this.resets.inspect(token);
    if (!info) return this.pages.send(res, 'link-invalid', { title: 'Link not valid' }, 400);
    const again = (errors: Record<string, string>) =>
      this.pages.send(
        res,
        'reset-password',
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
        return this.pages.send(res, 'link-invalid', { title: 'Link not valid' }, 400);
      throw err;
    }
    await this.signIn(req, res, user);
    res.redirect(303, '/?notice=password-set');
  }

  private async signIn(req: Request, res: Response, user: User): Promise<void> {
    const raw = await this.auth.startSession(user, meta(req));
    res.cookie(SESSION_COOKIE, raw, this.sessions.cookieOptions());
    setDeviceCookie(res, this.auth.deviceProof(user.email), this.sessions.cookieOptions());
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
