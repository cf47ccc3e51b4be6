import { Controller, Get, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request } from 'express';
import { BackgroundTasks, flattenValidationErrors, InvalidTokenProblem, ValidationProblem } from '@lmp/common';
import { EmailVerificationService, ForgotPasswordService } from '@lmp/identity';
import { SignupService } from '@lmp/tenancy';
import { SignupDto } from '../auth/dto';
import { AppRequest, meta } from '../http/request-context';
import { THROTTLE } from '../http/throttles';
import { str } from '../web/forms';
import { PageErrorFilter } from '../web/page-error.filter';
import { page, PageResult, redirect } from '../web/page-result';
import { LINK_INVALID, NO_REFERRER } from './link-pages';

type Form = Record<string, string | undefined>;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** Sign up, verify an email address, forgot password: the pages for people without a session. */
@Controller()
@UseFilters(PageErrorFilter)
export class SelfServicePagesController {
  constructor(
    private readonly signups: SignupService,
    private readonly verification: EmailVerificationService,
    private readonly forgot: ForgotPasswordService,
    private readonly background: BackgroundTasks,
  ) {}

  @Get('signup')
  signupForm(@Query('partner') partner?: string): PageResult {
    return page(
      'self-service/signup',
      { title: 'Create your account', form: { userType: 'company', partnerCode: str(partner) } },
      { csrf: true },
    );
  }

  @Post('signup')
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.signup)
  async signup(@Req() req: Request): Promise<PageResult> {
    const form = req.body as Form;
    const input = {
      email: str(form.email).trim(),
      password: str(form.password),
      firstName: str(form.firstName).trim(),
      lastName: str(form.lastName).trim(),
      userType: str(form.userType),
      companyName: str(form.companyName).trim() || undefined,
      partnerCode: str(form.partnerCode).trim() || undefined,
    };
    const again = (errors: Record<string, string>) =>
      page(
        'self-service/signup',
        { title: 'Create your account', form: { ...input, password: '' }, errors },
        { csrf: true, status: 400 },
      );
    const dto = plainToInstance(SignupDto, input);
    const problems = flattenValidationErrors(await validate(dto));
    if (problems.length) return again(fieldMessages(problems));
    try {
      await this.signups.signup(dto, meta(req));
    } catch (err) {
      if (err instanceof ValidationProblem) return again(fieldMessages(err.problem.errors ?? []));
      throw err;
    }
    // The same page whether or not the address already had an account.
    return page('self-service/signup-done', { title: 'Check your email', email: dto.email.toLowerCase() });
  }

  /** Shows a button; opening the link spends nothing (mail scanners open links). */
  @Get('verify-email')
  async verifyForm(@Query('token') token?: string): Promise<PageResult> {
    const info = token ? await this.verification.inspect(token) : null;
    if (!info || !token) return LINK_INVALID();
    return page(
      'self-service/verify-email',
      { title: 'Verify your email address', email: info.email, token },
      { csrf: true, headers: NO_REFERRER },
    );
  }

  @Post('verify-email')
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.verifyEmail)
  async verify(@Req() req: AppRequest): Promise<PageResult> {
    try {
      await this.verification.verify(str((req.body as Form).token), meta(req));
    } catch (err) {
      if (err instanceof InvalidTokenProblem) return LINK_INVALID();
      throw err;
    }
    return redirect(req.auth ? '/?notice=verified' : '/login?notice=verified', { headers: NO_REFERRER });
  }

  @Get('forgot-password')
  forgotForm(): PageResult {
    return page('self-service/forgot-password', { title: 'Forgot your password?' }, { csrf: true });
  }

  /** The same answer, at the same speed, whether or not the address has an account. */
  @Post('forgot-password')
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.forgotPassword)
  forgotSubmit(@Req() req: Request): PageResult {
    const email = str((req.body as Form).email)
      .trim()
      .slice(0, 254);
    if (!EMAIL.test(email)) {
      return page(
        'self-service/forgot-password',
        {
          title: 'Forgot your password?',
          email,
          errors: { email: 'Enter your email address, like name@example.com.' },
        },
        { csrf: true, status: 400 },
      );
    }
    const m = meta(req);
    this.background.run('forgot-password', () => this.forgot.request(email, m));
    return page('self-service/forgot-done', { title: 'Check your email', email: email.toLowerCase() });
  }
}

/** Field errors as sentences for the form, one per field. */
function fieldMessages(errors: Array<{ field: string; message: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    if (out[e.field]) continue;
    const text = e.message.startsWith(e.field) ? e.message.slice(e.field.length).trim() : e.message;
    out[e.field] = `${LABELS[e.field] ?? e.field} ${text}.`.replace(/\.\.$/, '.');
  }
  return out;
}

const LABELS: Record<string, string> = {
  email: 'Email address',
  password: 'Password',
  firstName: 'First name',
  lastName: 'Last name',
  userType: 'Account type',
  companyName: 'Company name',
  partnerCode: 'Partner code',
};
