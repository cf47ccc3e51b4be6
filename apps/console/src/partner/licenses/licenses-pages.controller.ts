import { Controller, Get, Query, UseFilters, UseGuards } from '@nestjs/common';
import { parseSort } from '@lmp/common';
import { LICENSE_STATUSES, LicenseOverviewService, LicenseStatus, PartnerActor } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { pageNumber, pager, queryText, urlWith } from '../../web/format';
import { ConsolePageFilter } from '../../web/page-filter';
import { page, PageResult } from '../../web/page-result';
import { Actor } from '../partner-actor';
import { PAGE_SIZE, QueryParams } from '../presenters';
import { LICENSE_LIST_SORT_KEYS } from './license-sort';
import { DEFAULT_LICENSE_SORT, licenseSortColumns, partnerLicenseRow, statusOptions } from './list-presenters';

/** The partner's licenses across its customers: filter by status and product, sort by expiry. */
@Controller('partner/licenses')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class PartnerLicensesPagesController {
  constructor(private readonly overview: LicenseOverviewService) {}

  @Get()
  async licenses(@Actor() actor: PartnerActor, @Query() query: QueryParams): Promise<PageResult> {
    const status = LICENSE_STATUSES.find((s) => s === query.status) as LicenseStatus | undefined;
    const product = queryText(query.product, 120);
    const sortParam = queryText(query.sort, 20);
    const current = Object.hasOwn(LICENSE_LIST_SORT_KEYS, sortParam.replace(/^-/, ''))
      ? sortParam
      : DEFAULT_LICENSE_SORT;
    const sort = parseSort(current, LICENSE_LIST_SORT_KEYS, { field: 'l.expires_at', direction: 'ASC' });
    const list = await this.overview.listForPartner(
      actor,
      { status, product: product || undefined },
      { page: pageNumber(query.page), pageSize: PAGE_SIZE },
      sort,
    );
    const href = (params: Record<string, string | number | undefined>) =>
      urlWith('/partner/licenses', {
        status,
        product: product || undefined,
        sort: current === DEFAULT_LICENSE_SORT ? undefined : current,
        ...params,
      });
    return page(
      'partner/licenses/licenses',
      {
        title: 'Licenses',
        // Every license matching the same filters, in the same order (the API's CSV export).
        csvHref: urlWith('/api/v1/partner/licenses.csv', {
          status,
          product: product || undefined,
          sort: current === DEFAULT_LICENSE_SORT ? undefined : current,
        }),
        statuses: statusOptions(status),
        product,
        sort: current === DEFAULT_LICENSE_SORT ? '' : current,
        columns: licenseSortColumns(current, href),
        items: list.items.map(partnerLicenseRow),
        filtered: Boolean(status || product),
        pager: pager(list.page, list.pageSize, list.total, (n) => href({ page: n > 1 ? n : undefined })),
      },
      { shell: 'licenses' },
    );
  }
}
