import { Controller, Get, HttpCode, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemException } from '@lmp/common';
import { EmailChangeService, SubscriptionService } from '@lmp/identity';
import { CsrfService, SkipCsrf } from '../http/csrf';
import { AppRequest, confirmingSession, meta } from '../http/request-context';
import { PageRenderer } from '../web/page-renderer';
import { PageErrorFilter } from '../web/page-error.filter';
import { str } from '../auth/sign-in-pages.controller';

type Form = Record<string, string | undefined>;

/**
 * Pages behind emailed account links. Opening a link spends nothing (mail scanners open links);
 * the button posts. The one-click unsubscribe POST (RFC 8058) carries no CSRF token: the mail
 * client sends it, and the signed token is what authorises it.
 */
@Controller()
@UseFilters(PageErrorFilter)
export class AccountLinksPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly csrf: CsrfService,
    private readonly emailChange: EmailChangeService,
    private readonly subscriptions: SubscriptionService,
  ) {}

  @Get('unsubscribe')
  unsubscribeForm(@Res() res: Response, @Query('token') token?: string) {
    if (!token || !this.subscriptions.userOfToken(token)) return this.invalid(res);
    this.pages.send(res, 'self-service/link-action', {
      title: 'Unsubscribe',
      heading: 'Unsubscribe from LMP news and offers',
      text: 'You will get no more newsletters, special offers, promotions or surveys. Security notices still reach you.',
      action: `/unsubscribe?token=${encodeURIComponent(token)}`,
      token,
      button: 'Unsubscribe',
    });
  }

  @Post('unsubscribe')
  @SkipCsrf()
  @HttpCode(200)
  async unsubscribe(@Req() req: Request, @Res() res: Response, @Query('token') token?: string) {
    const raw = token ?? str((req.body as Form | undefined)?.token);
    try {
      await this.subscriptions.unsubscribe(raw, req.ip ?? null);
    } catch (err) {
      if (err instanceof ProblemException) return this.invalid(res);
      throw err;
    }
    this.pages.send(res, 'self-service/link-done', {
      title: 'Unsubscribed',
      heading: 'You are unsubscribed',
      text: 'You will get no more marketing email from LMP. You can subscribe again under My Profile.',
    });
  }

  @Get('confirm-email')
  confirmForm(@Req() req: Request, @Res() res: Response, @Query('token') token?: string) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!token) return this.invalid(res);
    this.pages.send(res, 'self-service/link-action', {
      title: 'Confirm your new email address',
      heading: 'Confirm your new email address',
      text: 'Your account will use this address for sign-in and email from now on.',
      action: '/confirm-email',
      token,
      button: 'Confirm new email address',
      csrf: this.csrf.token(req, res),
    });
  }

  @Post('confirm-email')
  async confirm(@Req() req: Request, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      const { email } = await this.emailChange.confirm(
        str((req.body as Form).token),
        meta(req),
        confirmingSession(req as AppRequest),
      );
      this.pages.send(res, 'self-service/link-done', {
        title: 'Email address changed',
        heading: 'Your email address is changed',
        text: `Sign in with ${email} from now on.`,
      });
    } catch (err) {
      if (err instanceof ProblemException && err.getStatus() === 409)
        return this.pages.send(
          res,
          'self-service/link-done',
          { title: 'Address taken', heading: 'That address is taken', text: err.problem.detail ?? '' },
          409,
        );
      if (err instanceof ProblemException) return this.invalid(res);
      throw err;
    }
  }

  @Get('not-me')
  async notMeForm(@Req() req: Request, @Res() res: Response, @Query('token') token?: string) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!token || !(await this.emailChange.inspectNotMe(token))) return this.invalid(res);
    this.pages.send(res, 'self-service/link-action', {
      title: 'This was not me',
      heading: 'This was not me',
      text: 'We will lock your account: its password stops working, every device is signed out and a pending change of email address is cancelled. We then email you a link to choose a new password.',
      action: '/not-me',
      token,
      button: 'Lock my account',
      csrf: this.csrf.token(req, res),
    });
  }

  @Post('not-me')
  async notMe(@Req() req: Request, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      await this.emailChange.notMe(str((req.body as Form).token), meta(req));
    } catch (err) {
      if (err instanceof ProblemException) return this.invalid(res);
      throw err;
    }
    this.pages.send(res, 'self-service/link-done', {
      title: 'Account locked',
      heading: 'Your account is locked',
      text: 'Every device was signed out. Check your email: we sent you a link to choose a new password, which unlocks the account.',
    });
  }

  private invalid(res: Response): void {
    this.pages.send(res, 'web/link-invalid', { title: 'Link not valid' }, 400);
  }
}
