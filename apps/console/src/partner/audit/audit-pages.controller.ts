import { Controller, Get, Query, UseFilters, UseGuards } from '@nestjs/common';
import { AUDIT_ACTIONS } from '@lmp/audit';
import { PartnerActor, PartnerCustomersService, PartnerSettingsService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { actionLabel, pageNumber, pager, queryText, urlWith } from '../../web/format';
import { ConsolePageFilter } from '../../web/page-filter';
import { page, PageResult } from '../../web/page-result';
import { Actor } from '../partner-actor';
import { auditRow, customerRow, PAGE_SIZE, QueryParams } from '../presenters';

/** The partner's audit trail, filtered by customer and by action. */
@Controller('partner/audit')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class AuditPagesController {
  constructor(
    private readonly partnerCustomers: PartnerCustomersService,
    private readonly partnerSettings: PartnerSettingsService,
  ) {}

  @Get()
  async audit(@Actor() actor: PartnerActor, @Query() query: QueryParams): Promise<PageResult> {
    const customerId = queryText(query.customerId, 40) || undefined;
    // A customer filter names one of the partner's customers; another's, or a malformed id, is 404.
    const customer = customerId
      ? await this.partnerCustomers.getCustomer(actor, new IdPipe().transform(customerId))
      : null;
    const action = AUDIT_ACTIONS.find((a) => a === query.action);
    const list = await this.partnerSettings.listAudit(
      actor,
      { customerId: customer?.id, action },
      { page: pageNumber(query.page), pageSize: PAGE_SIZE },
    );
    const href = (params: Record<string, string | number | undefined>) =>
      urlWith('/partner/audit', { customerId: customer?.id, action, ...params });
    return page(
      'partner/audit/audit',
      {
        title: 'Audit trail',
        items: list.items.map((e) => auditRow(e, (id) => href({ customerId: id }))),
        actions: AUDIT_ACTIONS.map((value) => ({ value, label: actionLabel(value), selected: value === action })),
        customer: customer ? { ...customerRow(customer), clearHref: href({ customerId: undefined }) } : null,
        filtered: Boolean(customer || action),
        // Every event matching the same filters (the API's CSV export).
        csvHref: urlWith('/api/v1/partner/audit.csv', { customerId: customer?.id, action }),
        pager: pager(list.page, list.pageSize, list.total, (n) => href({ page: n > 1 ? n : undefined })),
      },
      { shell: 'audit' },
    );
  }
}
