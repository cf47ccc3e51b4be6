import { Controller, Get, UseFilters, UseGuards } from '@nestjs/common';
import { CompanyActor, LicenseOverviewService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../http/guards';
import { badge, dateOnly } from '../web/format';
import { ConsolePageFilter } from '../web/page-filter';
import { page, PageResult } from '../web/page-result';
import { Company } from './company-actor';

/** The company's licenses, for every user of the company: what it holds and until when. */
@Controller('company/licenses')
@UseGuards(SignedInGuard)
@UseFilters(ConsolePageFilter)
export class CompanyLicensesPagesController {
  constructor(private readonly licenses: LicenseOverviewService) {}

  @Get()
  @Roles('full_access', 'read_only')
  async list(@Company() actor: CompanyActor): Promise<PageResult> {
    const { items, summary } = await this.licenses.listForCompany(actor);
    return page(
      'company/licenses',
      {
        title: 'Licenses',
        items: items.map((l) => ({
          ...l,
          statusBadge: badge(l.status),
          starts: dateOnly(l.startsAt),
          expires: dateOnly(l.expiresAt),
          graceEnds: l.graceEndsAt ? dateOnly(l.graceEndsAt) : null,
        })),
        summary: { ...summary, next: summary.nextExpiry ? dateOnly(summary.nextExpiry.expiresAt) : null },
      },
      { shell: 'company-licenses' },
    );
  }
}
