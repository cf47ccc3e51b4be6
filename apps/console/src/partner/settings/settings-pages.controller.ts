import { Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { PartnerActor, PartnerConsoleService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { AppRequest } from '../../http/request-context';
import { Actor } from '../partner-actor';
import { checked } from '../../account/account-forms';
import { ConsolePages } from '../partner-pages';
import { queryText, urlWith } from '../../web/format';
import { ConsolePageFilter } from '../../web/page-filter';

/**
 * The partner's settings: for now, whether its staff must use two-factor authentication.
 * partner_support reads them; only partner_admin changes them (as the JSON API's PATCH).
 */
@Controller('partner/settings')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class PartnerSettingsPagesController {
  constructor(
    private readonly view: ConsolePages,
    private readonly console: PartnerConsoleService,
  ) {}

  @Get()
  async settings(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Query() query: Record<string, unknown>,
  ) {
    const settings = await this.console.getSettings(actor);
    await this.view.send(req, res, actor, 'partner/settings/settings', 'settings', {
      title: 'Settings',
      requireStaffMfa: settings.requireStaffMfa,
      // The admin who asks staff for 2FA is pointed at their own set-up while they have none.
      ownMfaMissing: !req.auth!.user.mfaEnabled,
      notice: queryText(query.done, 20) === 'saved' ? 'Settings saved.' : undefined,
    });
  }

  /** The checkbox: checked turns the policy on, unchecked (not posted) turns it off. */
  @Post()
  @Roles('partner_admin')
  async save(@Req() req: AppRequest, @Res() res: Response, @Actor() actor: PartnerActor) {
    await this.console.updateSettings(actor, { requireStaffMfa: checked(req.body, 'requireStaffMfa') });
    res.redirect(303, urlWith('/partner/settings', { done: 'saved' }));
  }
}
