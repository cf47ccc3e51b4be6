import { Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import { BackgroundTasks, flattenValidationErrors, InvalidTokenProblem, ValidationProblem } from '@lmp/common';
import { EmailVerificationService, ForgotPasswordService } from '@lmp/identity';
import { SignupService } from '@lmp/tenancy';
import { SignupDto } from '../auth/dto';
import { CsrfService } from '../http/csrf';
import { AppRequest, meta } from '../http/request-context';
import { THROTTLE } from '../http/throttles';
import { PageRenderer } from '../web/page-renderer';
import { PageErrorFilter } from '../web/page-error.filter';
import { str } from '../auth/sign-in-pages.controller';

type Form = Record<string, string | undefined>;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** Sign up, verify an email address, forgot password: the pages for people without a session. */
@Controller()
@UseFilters(PageErrorFilter)
export class SelfServicePagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly csrf: CsrfService,
    private readonly signups: SignupService,
    private readonly verification: EmailVerificationService,
    private readonly forgot: ForgotPasswordService,
    private readonly background: BackgroundTasks,
  ) {}

  @Get('signup')
  signupForm(@Req() req: Request, @Res() res: Response, @Query('partner') partner?: string) {
    this.pages.send(res, 'self-service/signup', {
      title: 'Create your account',
      csrf: this.csrf.token(req, res),
      form: { userType: 'company', partnerCode: str(partner) },
    });
  }

  @Post('signup')
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.signup)
  async signup(@Req() req: Request, @Res() res: Response) {
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
      this.pages.send(
        res,
        'self-service/signup',
        { title: 'Create your account', csrf: this.csrf.token(req, res), form: { ...input, password: '' }, errors },
        400,
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
    this.pages.send(res, 'self-service/signup-done', { title: 'Check your email', email: dto.email.toLowerCase() });
  }

  /** Shows a button; opening the link spends nothing (mail scanners open links). */
  @Get('verify-email')
  async verifyForm(@Req() req: Request, @Res() res: Response, @Query('token') token?: string) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const info = token ? await this.verification.inspect(token) : null;
    if (!info || !token) return this.pages.send(res, 'web/link-invalid', { title: 'Link not valid' }, 400);
    this.pages.send(res, 'self-service/verify-email', {
      title: 'Verify your email address',
      email: info.email,
      token,
      csrf: this.csrf.token(req, res),
    });
  }

  @Post('verify-email')
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.verifyEmail)
  async verify(@Req() req: AppRequest, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      await this.verification.verify(str((req.body as Form).token), meta(req));
    } catch (err) {
      if (err instanceof InvalidTokenProblem)
        return this.pages.send(res, 'web/link-invalid', { title: 'Link not valid' }, 400);
      throw err;
    }
    res.redirect(303, req.auth ? '/?notice=verified' : '/login?notice=verified');
  }

  @Get('forgot-password')
  forgotForm(@Req() req: Request, @Res() res: Response) {
    this.pages.send(res, 'self-service/forgot-password', {
      title: 'Forgot your password?',
      csrf: this.csrf.token(req, res),
    });
  }

  /** The same answer, at the same speed, whether or not the address has an account. */
  @Post('forgot-password')
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.forgotPassword)
  forgotSubmit(@Req() req: Request, @Res() res: Response) {
    const email = str((req.body as Form).email)
      .trim()
      .slice(0, 254);
    if (!EMAIL.test(email)) {
      return this.pages.send(
        res,
        'self-service/forgot-password',
        {
          title: 'Forgot your password?',
          csrf: this.csrf.token(req, res),
          email,
          errors: { email: 'Enter your email address, like name@example.com.' },
        },
        400,
      );
    }
    const m = meta(req);
    this.background.run('forgot-password', () => this.forgot.request(email, m));
    this.pages.send(res, 'self-service/forgot-done', { title: 'Check your email', email: email.toLowerCase() });
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
