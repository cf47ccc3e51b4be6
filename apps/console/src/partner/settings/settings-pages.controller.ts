import { Controller, Get, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { PartnerActor, PartnerSettingsService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { AppRequest } from '../../http/request-context';
import { Actor } from '../partner-actor';
import { checked } from '../../web/forms';
import { queryText, urlWith } from '../../web/format';
import { ConsolePageFilter } from '../../web/page-filter';
import { page, PageResult, redirect } from '../../web/page-result';

/**
 * The partner's settings: for now, whether its staff must use two-factor authentication.
 * partner_support reads them; only partner_admin changes them (as the JSON API's PATCH).
 */
@Controller('partner/settings')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class PartnerSettingsPagesController {
  constructor(private readonly partnerSettings: PartnerSettingsService) {}

  @Get()
  async settings(
    @Req() req: AppRequest,
    @Actor() actor: PartnerActor,
    @Query() query: Record<string, unknown>,
  ): Promise<PageResult> {
    const settings = await this.partnerSettings.getSettings(actor);
    return page(
      'partner/settings/settings',
      {
        title: 'Settings',
        requireStaffMfa: settings.requireStaffMfa,
        // The admin who asks staff for 2FA is pointed at their own set-up while they have none.
        ownMfaMissing: !req.auth!.user.mfaEnabled,
        notice: queryText(query.done, 20) === 'saved' ? 'Settings saved.' : undefined,
      },
      { shell: 'settings' },
    );
  }

  /** The checkbox: checked turns the policy on, unchecked (not posted) turns it off. */
  @Post()
  @Roles('partner_admin')
  async save(@Req() req: AppRequest, @Actor() actor: PartnerActor): Promise<PageResult> {
    await this.partnerSettings.updateSettings(actor, { requireStaffMfa: checked(req.body, 'requireStaffMfa') });
    return redirect(urlWith('/partner/settings', { done: 'saved' }));
  }
}
