import { Controller, Get, Param, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { PartnerActor, PartnerCustomersService, PartnerLicensesService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { AppRequest } from '../../http/request-context';
import { dateOnly, urlWith } from '../../web/format';
import { attempt, errorList, FieldErrors, FormSpec, options, parseForm } from '../../web/forms';
import { ConsolePageFilter } from '../../web/page-filter';
import { page, PageResult, redirect } from '../../web/page-result';
import { Actor } from '../partner-actor';
import { customerPath, customerRow } from '../presenters';
import { RenewLicenseDto } from './dto';

const RENEW_FORM: FormSpec = {
  fields: {
    period: 'Choose how long to renew for, or a new expiry date.',
    expiresAt: 'Enter the new expiry date.',
    seats: 'Enter a whole number of seats, at least 1.',
  },
  numbers: ['seats'],
  dates: ['expiresAt'],
  rules: {
    expiresAt: 'Choose either a period or a new expiry date, later than today and than the current expiry.',
    period: 'Choose how long to renew for.',
  },
};

const PERIODS = { P1M: '1 month', P3M: '3 months', P6M: '6 months', P1Y: '1 year', P2Y: '2 years', P3Y: '3 years' };

/** Renewing a license: a period from its expiry (or from today once expired), or a new date. */
@Controller('partner/customers/:customerId/licenses/:licenseId/renew')
@UseGuards(SignedInGuard)
@Roles('partner_admin')
@UseFilters(ConsolePageFilter)
export class RenewLicensePagesController {
  constructor(
    private readonly partnerCustomers: PartnerCustomersService,
    private readonly partnerLicenses: PartnerLicensesService,
  ) {}

  @Get()
  renewForm(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
  ): Promise<PageResult> {
    return this.form(actor, customerId, licenseId, { period: 'P1Y' }, {});
  }

  @Post()
  async renew(
    @Req() req: AppRequest,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
  ): Promise<PageResult> {
    // Fields left empty are not given: a period or a date, seats only when they change.
    const posted = Object.fromEntries(
      Object.entries((req.body ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''),
    );
    const form = parseForm(RenewLicenseDto, posted, RENEW_FORM);
    if (!form.ok) return this.form(actor, customerId, licenseId, form.values, form.errors, 400);
    const renewed = await attempt(RENEW_FORM, () =>
      this.partnerLicenses.renewLicense(actor, customerId, licenseId, form.value),
    );
    if ('errors' in renewed) return this.form(actor, customerId, licenseId, form.values, renewed.errors, 400);
    return redirect(urlWith(customerPath(customerId), { tab: 'licenses', done: 'license-renewed' }));
  }

  private async form(
    actor: PartnerActor,
    customerId: string,
    licenseId: string,
    values: Record<string, string>,
    errors: FieldErrors,
    status = 200,
  ): Promise<PageResult> {
    const customer = await this.partnerCustomers.getCustomer(actor, customerId);
    const license = await this.partnerLicenses.getLicense(actor, customerId, licenseId);
    const base = customerPath(customerId);
    return page(
      'partner/licenses/renew-form',
      {
        title: `Renew license ${license.product}`,
        customer: customerRow(customer),
        license: {
          ...license,
          expires: dateOnly(license.expiresAt),
          expired: license.status === 'expired' || license.status === 'grace',
        },
        licensesHref: urlWith(base, { tab: 'licenses' }),
        action: `${base}/licenses/${licenseId}/renew`,
        values,
        errors,
        errorList: errorList(errors),
        periods: options(['', ...Object.keys(PERIODS)], values.period ?? '', {
          '': 'Until the date below',
          ...PERIODS,
        }),
      },
      { shell: 'customers', status },
    );
  }
}
