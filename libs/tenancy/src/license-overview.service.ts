import { Inject, Injectable } from '@nestjs/common';
import { Clock, Page, PageRequest } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { LicenseListFilter, LicenseListSortField, LicenseRepository } from './license.repository';
import { CompanyActor } from './company-users.service';
import { PartnerActor } from './partner-actor';
import { PartnerRepository } from './partner.repository';
import { licenseView } from './views';

export type LicenseView = ReturnType<typeof licenseView>;
export type PartnerLicenseItem = LicenseView & { customerId: string; companyName: string };

/**
 * Licenses as their holders and sellers see them: the partner's list across its customers, and
 * a customer company's own list with a short summary. Statuses use the partner's grace period.
 */
@Injectable()
export class LicenseOverviewService {
  constructor(
    private readonly licenses: LicenseRepository,
    private readonly partners: PartnerRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One page of the partner's licenses; sorted by expiry unless asked otherwise. */
  async listForPartner(
    actor: PartnerActor,
    filter: LicenseListFilter,
    page: PageRequest,
    sort: { field: LicenseListSortField; direction: 'ASC' | 'DESC' },
  ): Promise<Page<PartnerLicenseItem>> {
    const graceDays = (await this.partners.findOne(actor.partnerId))?.licenseGraceDays ?? 0;
    const now = this.clock.now();
    const terms = { now, expiringDays: this.config.licenseExpiringDays, graceDays };
    const result = await this.licenses.listOfPartner(actor.partnerId, filter, terms, page, sort);
    return {
      ...result,
      items: result.items.map((l) => ({
        ...licenseView(l, now, terms.expiringDays, graceDays),
        customerId: l.customerId,
        companyName: l.companyName,
      })),
    };
  }

  /** The company's own licenses, soonest expiry first, and what its home page sums up. */
  async listForCompany(actor: Pick<CompanyActor, 'customerId'>) {
    const graceDays = await this.licenses.graceDaysOfCustomer(actor.customerId);
    const now = this.clock.now();
    const items = (await this.licenses.listOfCustomer(actor.customerId)).map((l) =>
      licenseView(l, now, this.config.licenseExpiringDays, graceDays),
    );
    const inUse = items.filter((l) => l.status === 'active' || l.status === 'expiring' || l.status === 'grace');
    const next = inUse.filter((l) => l.status !== 'grace').sort((a, b) => a.expiresAt.localeCompare(b.expiresAt))[0];
    return {
      items,
      summary: {
        active: inUse.length,
        expiring: items.filter((l) => l.status === 'expiring').length,
        nextExpiry: next ? { id: next.id, product: next.product, expiresAt: next.expiresAt } : null,
      },
    };
  }
}
