import { Controller, Get, Post, Query, Req, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemException, ValidationProblem } from '@lmp/common';
import { User } from '@lmp/database';
import { AuthService, MfaSignInService, PasswordResetService, SessionService } from '@lmp/identity';
import { afterPassword } from '../auth/after-password';
import { meta } from '../http/request-context';
import { str } from '../web/forms';
import { PageErrorFilter } from '../web/page-error.filter';
import { page, PageCookies, PageResult, redirect } from '../web/page-result';
import { LINK_INVALID, NO_REFERRER } from './link-pages';

type Form = Record<string, string | undefined>;

/** The page of a password reset or invitation link: choose a password, and be signed in. */
@Controller('reset-password')
@UseFilters(PageErrorFilter)
export class PasswordLinkPagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly resets: PasswordResetService,
    private readonly mfaSignIn: MfaSignInService,
  ) {}

  /** Shows the form for a reset or invitation link. Never spends the link: mail scanners open them. */
  @Get()
  async resetForm(@Query('token') token?: string): Promise<PageResult> {
    const info = token ? await this.resets.inspect(token) : null;
    if (!info || !token) return LINK_INVALID();
    return resetPage(token, info.purpose, info.email);
  }

  /** Spends the link, sets the password and signs the user in on this browser. */
  @Post()
  async resetSubmit(@Req() req: Request): Promise<PageResult> {
    const form = req.body as Form;
    const token = str(form.token);
    const password = str(form.password);
    const info = await this.resets.inspect(token);
    if (!info) return LINK_INVALID();
    const again = (errors: Record<string, string>) => resetPage(token, info.purpose, info.email, errors);
    if (password !== str(form.confirmPassword)) return again({ confirmPassword: 'The two passwords do not match.' });
    let user: User;
    try {
      user = await this.resets.complete(token, password, meta(req));
    } catch (err) {
      if (err instanceof ValidationProblem) {
        return again(Object.fromEntries((err.problem.errors ?? []).map((e) => [e.field, `Password ${e.message}.`])));
      }
      if (err instanceof ProblemException) return LINK_INVALID();
      throw err;
    }
    // A new password is not a second factor: users with 2FA still give a code.
    const start = await this.mfaSignIn.begin(user, meta(req));
    const next = start.mfaRequired ? '/' : '/?notice=password-set';
    const cookies = new PageCookies();
    const options = this.sessions.cookieOptions();
    const to = afterPassword(cookies, start, next, options, () => this.auth.deviceProof(user), 'password-set');
    return redirect(to, { cookies, headers: NO_REFERRER });
  }
}

function resetPage(token: string, purpose: string, email: string, errors?: Record<string, string>) {
  const invitation = purpose === 'invitation';
  return page(
    'self-service/reset-password',
    {
      title: invitation ? 'Set your password' : 'Choose a new password',
      heading: invitation ? 'Welcome! Set your password' : 'Choose a new password',
      button: invitation ? 'Set password and sign in' : 'Create new password and sign in',
      email,
      token,
      errors,
    },
    { csrf: true, status: errors ? 400 : 200, headers: NO_REFERRER },
  );
}
