import { Controller, Get, HttpCode, Post, Query, Req, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemException } from '@lmp/common';
import { EmailChangeService, SubscriptionService } from '@lmp/identity';
import { SkipCsrf } from '../http/csrf';
import { AppRequest, confirmingSession, meta } from '../http/request-context';
import { str } from '../web/forms';
import { PageErrorFilter } from '../web/page-error.filter';
import { page, PageResult } from '../web/page-result';
import { LINK_INVALID, NO_REFERRER } from './link-pages';

type Form = Record<string, string | undefined>;

/** The page after a link's button: what happened. */
const done = (title: string, heading: string, text: string, status = 200) =>
  page('self-service/link-done', { title, heading, text }, { status, headers: NO_REFERRER });

/**
 * Pages behind emailed account links. Opening a link spends nothing (mail scanners open links);
 * the button posts. The one-click unsubscribe POST (RFC 8058) carries no CSRF token: the mail
 * client sends it, and the signed token is what authorises it.
 */
@Controller()
@UseFilters(PageErrorFilter)
export class AccountLinksPagesController {
  constructor(
    private readonly emailChange: EmailChangeService,
    private readonly subscriptions: SubscriptionService,
  ) {}

  @Get('unsubscribe')
  unsubscribeForm(@Query('token') token?: string): PageResult {
    if (!token || !this.subscriptions.userOfToken(token)) return LINK_INVALID();
    return page('self-service/link-action', {
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
  async unsubscribe(@Req() req: Request, @Query('token') token?: string): Promise<PageResult> {
    const raw = token ?? str((req.body as Form | undefined)?.token);
    try {
      await this.subscriptions.unsubscribe(raw, req.ip ?? null);
    } catch (err) {
      if (err instanceof ProblemException) return LINK_INVALID();
      throw err;
    }
    return page('self-service/link-done', {
      title: 'Unsubscribed',
      heading: 'You are unsubscribed',
      text: 'You will get no more marketing email from LMP. You can subscribe again under My Profile.',
    });
  }

  @Get('confirm-email')
  confirmForm(@Query('token') token?: string): PageResult {
    if (!token) return LINK_INVALID();
    return page(
      'self-service/link-action',
      {
        title: 'Confirm your new email address',
        heading: 'Confirm your new email address',
        text: 'Your account will use this address for sign-in and email from now on.',
        action: '/confirm-email',
        token,
        button: 'Confirm new email address',
      },
      { csrf: true, headers: NO_REFERRER },
    );
  }

  @Post('confirm-email')
  async confirm(@Req() req: Request): Promise<PageResult> {
    try {
      const { email } = await this.emailChange.confirm(
        str((req.body as Form).token),
        meta(req),
        confirmingSession(req as AppRequest),
      );
      return done('Email address changed', 'Your email address is changed', `Sign in with ${email} from now on.`);
    } catch (err) {
      if (err instanceof ProblemException && err.getStatus() === 409)
        return done('Address taken', 'That address is taken', err.problem.detail ?? '', 409);
      if (err instanceof ProblemException) return LINK_INVALID();
      throw err;
    }
  }

  @Get('not-me')
  async notMeForm(@Query('token') token?: string): Promise<PageResult> {
    if (!token || !(await this.emailChange.inspectNotMe(token))) return LINK_INVALID();
    return page(
      'self-service/link-action',
      {
        title: 'This was not me',
        heading: 'This was not me',
        text: 'We will lock your account: its password stops working, every device is signed out and a pending change of email address is cancelled. We then email you a link to choose a new password.',
        action: '/not-me',
        token,
        button: 'Lock my account',
      },
      { csrf: true, headers: NO_REFERRER },
    );
  }

  @Post('not-me')
  async notMe(@Req() req: Request): Promise<PageResult> {
    try {
      await this.emailChange.notMe(str((req.body as Form).token), meta(req));
    } catch (err) {
      if (err instanceof ProblemException) return LINK_INVALID();
      throw err;
    }
    return done(
      'Account locked',
      'Your account is locked',
      'Every device was signed out. Check your email: we sent you a link to choose a new password, which unlocks the account.',
    );
  }
}
