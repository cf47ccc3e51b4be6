import { Controller, Get, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { EmailChangeService } from '@lmp/identity';
import { SignedInGuard } from '../http/guards';
import { AppRequest, meta } from '../http/request-context';
import { urlWith } from '../web/format';
import { parseForm } from '../web/forms';
import { ConsolePageFilter } from '../web/page-filter';
import { page, PageResult, redirect } from '../web/page-result';
import { ChangeEmailDto } from './dto';
import {
  EMAIL_CHANGE_FORM,
  EMAIL_CHANGE_PATH,
  emailChangePage,
  EmailChangeRefusal,
  emailChangeRefusal,
} from './email-change';

/** My Profile → Change email address, on the service the API's POST /me/email calls. */
@Controller()
@UseGuards(SignedInGuard)
@UseFilters(ConsolePageFilter)
export class EmailChangePagesController {
  constructor(private readonly emailChange: EmailChangeService) {}

  @Get('account/profile/email')
  emailForm(@Req() req: AppRequest, @Query() query: Record<string, unknown>): PageResult {
    return page('account/change-email', emailChangePage(req.auth!.user.email, query), { shell: 'profile' });
  }

  /** A link goes to the new address (the service's rules); the page then says where it went. */
  @Post('account/profile/email')
  async changeEmail(@Req() req: AppRequest): Promise<PageResult> {
    const { user, session } = req.auth!;
    const form = parseForm(ChangeEmailDto, req.body, EMAIL_CHANGE_FORM);
    const again = (r: EmailChangeRefusal) =>
      page('account/change-email', emailChangePage(user.email, {}, form.values, r), {
        shell: 'profile',
        status: r.status,
        headers: r.retryAfterSeconds ? { 'Retry-After': String(r.retryAfterSeconds) } : undefined,
      });
    if (!form.ok) return again({ status: 400, errors: form.errors });
    try {
      await this.emailChange.request(user, session, form.value, meta(req));
    } catch (err) {
      const refusal = emailChangeRefusal(err);
      if (!refusal) throw err;
      return again(refusal);
    }
    return redirect(urlWith(EMAIL_CHANGE_PATH, { sent: form.value.newEmail }));
  }
}
