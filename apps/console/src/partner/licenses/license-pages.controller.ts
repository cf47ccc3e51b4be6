import { Controller, Get, Param, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { PartnerActor, PartnerCustomersService, PartnerLicensesService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { AppRequest } from '../../http/request-context';
import { dateInput, urlWith } from '../../web/format';
import { attempt, FieldErrors, parseForm } from '../../web/forms';
import { ConsolePageFilter } from '../../web/page-filter';
import { PageResult, redirect } from '../../web/page-result';
import { CreateLicenseDto, UpdateLicenseDto } from '../dto';
import { LICENSE_EDIT_FORM, LICENSE_FORM } from '../form-specs';
import { Actor } from '../partner-actor';
import { customerPath } from '../presenters';
import { licenseForm } from './presenters';

/** A customer's licenses in the partner console: add and edit (partner_admin only). */
@Controller('partner/customers/:customerId/licenses')
@UseGuards(SignedInGuard)
@Roles('partner_admin')
@UseFilters(ConsolePageFilter)
export class LicensePagesController {
  constructor(
    private readonly partnerCustomers: PartnerCustomersService,
    private readonly partnerLicenses: PartnerLicensesService,
  ) {}

  @Get('new')
  newLicense(@Actor() actor: PartnerActor, @Param('customerId', IdPipe) customerId: string) {
    const today = new Date();
    const nextYear = new Date(Date.UTC(today.getUTCFullYear() + 1, today.getUTCMonth(), today.getUTCDate()));
    const values = {
      seats: '10',
      startsAt: dateInput(today.toISOString()),
      expiresAt: dateInput(nextYear.toISOString()),
    };
    return this.form(actor, customerId, null, values, {});
  }

  @Post()
  async createLicense(
    @Req() req: AppRequest,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ): Promise<PageResult> {
    const form = parseForm(CreateLicenseDto, req.body, LICENSE_FORM);
    if (!form.ok) return this.form(actor, customerId, null, form.values, form.errors, 400);
    const created = await attempt(LICENSE_FORM, () =>
      this.partnerLicenses.createLicense(actor, customerId, form.value),
    );
    if ('errors' in created) return this.form(actor, customerId, null, form.values, created.errors, 400);
    return redirect(urlWith(customerPath(customerId), { tab: 'licenses', done: 'license-added' }));
  }

  @Get(':licenseId/edit')
  async editLicense(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
  ): Promise<PageResult> {
    const l = await this.partnerLicenses.getLicense(actor, customerId, licenseId);
    const values = {
      product: l.product,
      seats: String(l.seats),
      startsAt: dateInput(l.startsAt),
      expiresAt: dateInput(l.expiresAt),
      status: l.status === 'suspended' ? 'suspended' : 'active',
    };
    return this.form(actor, customerId, l, values, {});
  }

  @Post(':licenseId')
  async updateLicense(
    @Req() req: AppRequest,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
  ): Promise<PageResult> {
    const license = await this.partnerLicenses.getLicense(actor, customerId, licenseId);
    const form = parseForm(UpdateLicenseDto, req.body, LICENSE_EDIT_FORM);
    if (!form.ok) return this.form(actor, customerId, license, form.values, form.errors, 400);
    const saved = await attempt(LICENSE_EDIT_FORM, () =>
      this.partnerLicenses.updateLicense(actor, customerId, licenseId, form.value),
    );
    if ('errors' in saved) return this.form(actor, customerId, license, form.values, saved.errors, 400);
    return redirect(urlWith(customerPath(customerId), { tab: 'licenses', done: 'license-saved' }));
  }

  /** The add / edit license form, under its customer. */
  private async form(
    actor: PartnerActor,
    customerId: string,
    license: { id: string; product: string } | null,
    values: Record<string, string>,
    errors: FieldErrors,
    status = 200,
  ): Promise<PageResult> {
    const customer = await this.partnerCustomers.getCustomer(actor, customerId);
    return licenseForm(customer, license, values, errors, status);
  }
}
