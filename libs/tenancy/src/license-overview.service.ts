import { Inject, Injectable } from '@nestjs/common';
import { Clock, Page, PageRequest } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import {
  LicenseListFilter,
  LicenseListSort,
  LicenseRepository,
  LicenseTerms,
  LicenseWithCustomer,
} from './license.repository';
import { CompanyActor } from './company-users.service';
import { PartnerActor } from './partner-actor';
import { PartnerRepository } from './partner.repository';
import { licenseView } from './views';

export type LicenseView = ReturnType<typeof licenseView>;
export type PartnerLicenseItem = LicenseView & { customerId: string; companyName: string };

function partnerLicenseItem(l: LicenseWithCustomer, terms: LicenseTerms): PartnerLicenseItem {
  return {
    ...licenseView(l, terms.now, terms.expiringDays, terms.graceDays),
    customerId: l.customerId,
    companyName: l.companyName,
  };
}

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
    sort: LicenseListSort,
  ): Promise<Page<PartnerLicenseItem>> {
    const terms = await this.termsOf(actor);
    const result = await this.licenses.listOfPartner(actor.partnerId, filter, terms, page, sort);
    return { ...result, items: result.items.map((l) => partnerLicenseItem(l, terms)) };
  }

  /**
   * Every license the list shows for `filter`, in its order, a batch at a time (the CSV export),
   * as the list shows them: statuses are taken at one moment, the start of the export.
   */
  async *exportForPartner(
    actor: PartnerActor,
    filter: LicenseListFilter,
    sort: LicenseListSort,
  ): AsyncGenerator<PartnerLicenseItem[]> {
    const terms = await this.termsOf(actor);
    for await (const batch of this.licenses.batchesOfPartner(actor.partnerId, filter, terms, sort))
      yield batch.map((l) => partnerLicenseItem(l, terms));
  }

  private async termsOf(actor: PartnerActor): Promise<LicenseTerms> {
    const graceDays = (await this.partners.findOne(actor.partnerId))?.licenseGraceDays ?? 0;
    return { now: this.clock.now(), expiringDays: this.config.licenseExpiringDays, graceDays };
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
