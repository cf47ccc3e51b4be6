import { Controller, Get, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Clock, parseSort } from '@lmp/common';
import { LicenseOverviewService, PartnerActor, PartnerCustomersService, PartnerSettingsService } from '@lmp/tenancy';
import { csvFile, csvFilename } from '../../http/csv';
import { Roles, SignedInGuard } from '../../http/guards';
import { RequireScope } from '../../http/scopes';
import { CUSTOMER_SORT } from '../customers/customer-sort';
import { AuditFilterQuery, CustomerExportQuery } from '../dto';
import { Actor } from '../partner-actor';
import { PartnerLicenseExportQuery } from '../licenses/dto';
import { LICENSE_LIST_SORT_KEYS } from '../licenses/license-sort';
import { AUDIT_COLUMNS, CUSTOMER_COLUMNS, LICENSE_COLUMNS } from './csv-columns';

const CSV_RESPONSE = {
  description: 'UTF-8 CSV with a header row, streamed; cells that could start a formula begin with a quote.',
  content: { 'text/csv': { schema: { type: 'string' } } },
} as const;

/**
 * The partner's lists as CSV downloads, with the lists' filters and scoping, streamed from the
 * database a batch at a time. Another list: a repository `batches` method, a service `export…`
 * method, its columns in csv-columns.ts and a route here.
 */
@Controller('api/v1/partner')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@ApiTags('partner')
@ApiCookieAuth('session')
@ApiProduces('text/csv')
export class PartnerExportsController {
  constructor(
    private readonly customers: PartnerCustomersService,
    private readonly settings: PartnerSettingsService,
    private readonly licenses: LicenseOverviewService,
    private readonly clock: Clock,
  ) {}

  /** Every customer the list shows for `q`, in the list's order (`sort`). */
  @Get('customers.csv')
  @RequireScope('customers:read')
  @ApiOkResponse(CSV_RESPONSE)
  customersCsv(@Actor() actor: PartnerActor, @Query() q: CustomerExportQuery): StreamableFile {
    const sort = parseSort(q.sort, CUSTOMER_SORT, { field: 'company_name', direction: 'ASC' });
    const rows = this.customers.exportCustomers(actor, { q: q.q, sort });
    return csvFile(csvFilename('customers', this.clock.now()), CUSTOMER_COLUMNS, rows);
  }

  /** Every event of the audit trail matching the filters, newest first. */
  @Get('audit.csv')
  @RequireScope('audit:read')
  @ApiOkResponse(CSV_RESPONSE)
  auditCsv(@Actor() actor: PartnerActor, @Query() q: AuditFilterQuery): StreamableFile {
    const rows = this.settings.exportAudit(actor, { customerId: q.customerId, action: q.action });
    return csvFile(csvFilename('audit', this.clock.now()), AUDIT_COLUMNS, rows);
  }

  /** Every license of the partner's customers matching the filters, in the list's order (`sort`). */
  @Get('licenses.csv')
  @RequireScope('licenses:read')
  @ApiOkResponse(CSV_RESPONSE)
  licensesCsv(@Actor() actor: PartnerActor, @Query() q: PartnerLicenseExportQuery): StreamableFile {
    const sort = parseSort(q.sort, LICENSE_LIST_SORT_KEYS, { field: 'l.expires_at', direction: 'ASC' });
    const filter = { status: q.status, expiresBefore: q.expiresBefore, product: q.product, customerId: q.customerId };
    const rows = this.licenses.exportForPartner(actor, filter, sort);
    return csvFile(csvFilename('licenses', this.clock.now()), LICENSE_COLUMNS, rows);
  }
}
