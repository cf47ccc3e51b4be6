import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { parseSort } from '@lmp/common';
import { LicenseOverviewService, PartnerActor, PartnerLicensesService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { RequireScope } from '../../http/scopes';
import { Actor } from '../partner-actor';
import { PartnerLicenseListQuery, RenewLicenseDto } from './dto';
import { LICENSE_LIST_SORT_KEYS } from './license-sort';
import { LicenseResponse, PartnerLicensePage } from '../responses';

/** The partner's licenses across its customers, and renewals. */
@Controller('api/v1/partner')
@ApiTags('partner')
@ApiCookieAuth('session')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
export class PartnerLicensesApiController {
  constructor(
    private readonly overview: LicenseOverviewService,
    private readonly licenses: PartnerLicensesService,
  ) {}

  @Get('licenses')
  @RequireScope('licenses:read')
  list(@Actor() actor: PartnerActor, @Query() q: PartnerLicenseListQuery): Promise<PartnerLicensePage> {
    const sort = parseSort(q.sort, LICENSE_LIST_SORT_KEYS, { field: 'l.expires_at', direction: 'ASC' });
    const filter = { status: q.status, expiresBefore: q.expiresBefore, product: q.product, customerId: q.customerId };
    return this.overview.listForPartner(actor, filter, { page: q.page, pageSize: q.pageSize }, sort);
  }

  @Post('customers/:customerId/licenses/:licenseId/renew')
  @HttpCode(200)
  @Roles('partner_admin')
  @RequireScope('licenses:write')
  renew(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
    @Body() dto: RenewLicenseDto,
  ): Promise<LicenseResponse> {
    return this.licenses.renewLicense(actor, customerId, licenseId, dto);
  }
}
