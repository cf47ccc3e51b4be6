import { Controller, Get, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { PartnerActor, PartnerSettingsService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { AppRequest } from '../../http/request-context';
import { Actor } from '../partner-actor';
import { attempt, checked, errorList, FieldErrors, FormSpec } from '../../web/forms';
import { queryText, urlWith } from '../../web/format';
import { ConsolePageFilter } from '../../web/page-filter';
import { page, PageResult, redirect } from '../../web/page-result';

const NOTICE_FORM: FormSpec = {
  fields: {
    licenseNoticeDays: 'Enter up to 6 whole numbers of days from 1 to 365, separated by commas, such as 30, 7, 1.',
    licenseGraceDays: 'Enter a whole number of days from 0 to 90.',
  },
};

/**
 * The partner's settings: whether its staff must use two-factor authentication, and the license
 * expiry notices.
 * partner_support reads them; only partner_admin changes them (as the JSON API's PATCH).
 */
@Controller('partner/settings')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class PartnerSettingsPagesController {
  constructor(private readonly partnerSettings: PartnerSettingsService) {}

  @Get()
  settings(@Req() req: AppRequest, @Actor() actor: PartnerActor, @Query() query: Record<string, unknown>) {
    return this.settingsPage(req, actor, queryText(query.done, 20) === 'saved' ? 'Settings saved.' : undefined);
  }

  private async settingsPage(
    req: AppRequest,
    actor: PartnerActor,
    notice: string | undefined,
    notices?: { values: Record<string, string>; errors: FieldErrors },
  ): Promise<PageResult> {
    const settings = await this.partnerSettings.getSettings(actor);
    return page(
      'partner/settings/settings',
      {
        title: 'Settings',
        requireStaffMfa: settings.requireStaffMfa,
        // The admin who asks staff for 2FA is pointed at their own set-up while they have none.
        ownMfaMissing: !req.auth!.user.mfaEnabled,
        notice,
        licenseNotices: settings.licenseNotices,
        values: notices?.values ?? {
          licenseNoticeDays: settings.licenseNoticeDays.join(', '),
          licenseGraceDays: String(settings.licenseGraceDays),
        },
        errors: notices?.errors ?? {},
        errorList: errorList(notices?.errors ?? {}),
      },
      { shell: 'settings', status: notices ? 400 : 200 },
    );
  }

  /** Expiry notices: on or off, the days before the expiry, and the grace period after it. */
  @Post('licenses')
  @Roles('partner_admin')
  async saveNotices(@Req() req: AppRequest, @Actor() actor: PartnerActor): Promise<PageResult> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = {
      licenseNoticeDays: typeof body.licenseNoticeDays === 'string' ? body.licenseNoticeDays.slice(0, 100) : '',
      licenseGraceDays: typeof body.licenseGraceDays === 'string' ? body.licenseGraceDays.slice(0, 10) : '',
    };
    const errors: FieldErrors = {};
    const tokens = values.licenseNoticeDays.split(/[\s,]+/).filter((t) => t !== '');
    if (!tokens.every((t) => /^\d{1,3}$/.test(t))) errors.licenseNoticeDays = NOTICE_FORM.fields.licenseNoticeDays;
    if (!/^\s*\d{1,2}\s*$/.test(values.licenseGraceDays)) errors.licenseGraceDays = NOTICE_FORM.fields.licenseGraceDays;
    if (Object.keys(errors).length) return this.settingsPage(req, actor, undefined, { values, errors });
    const saved = await attempt(NOTICE_FORM, () =>
      this.partnerSettings.updateSettings(actor, {
        licenseNotices: checked(req.body, 'licenseNotices'),
        licenseNoticeDays: tokens.map(Number),
        licenseGraceDays: Number(values.licenseGraceDays),
      }),
    );
    if ('errors' in saved) return this.settingsPage(req, actor, undefined, { values, errors: saved.errors });
    return redirect(urlWith('/partner/settings', { done: 'saved' }));
  }

  /** The checkbox: checked turns the policy on, unchecked (not posted) turns it off. */
  @Post()
  @Roles('partner_admin')
  async save(@Req() req: AppRequest, @Actor() actor: PartnerActor): Promise<PageResult> {
    await this.partnerSettings.updateSettings(actor, { requireStaffMfa: checked(req.body, 'requireStaffMfa') });
    return redirect(urlWith('/partner/settings', { done: 'saved' }));
  }
}
