import { Inject, Injectable } from '@nestjs/common';
import { AuditAction } from '@lmp/audit';
import { PartnerEvents } from '@lmp/notifications';
import { Clock, longDate, renewedExpiry, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { License, newId, TransactionRunner } from '@lmp/database';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';
import { CompanyUserRepository } from './company-user.repository';
import { CustomerRepository } from './customer.repository';
import { LicenseRepository } from './license.repository';
import { found, PartnerActor } from './partner-actor';
import { changedFields, defined, PartnerAudit } from './partner-audit';
import { licenseEventData } from './partner-event-data';
import { PartnerRepository } from './partner.repository';
import { licenseView } from './views';

export interface NewLicense {
  product: string;
  seats: number;
  startsAt: Date;
  expiresAt: Date;
}

/** A renewal: a new expiry, or a period to add (ISO 8601, e.g. P1Y); seats may change with it. */
export interface LicenseRenewal {
  expiresAt?: Date;
  period?: string;
  seats?: number;
}

export interface LicenseChanges {
  product?: string;
  seats?: number;
  startsAt?: Date;
  expiresAt?: Date;
  status?: 'active' | 'suspended';
}

/** The licenses of the partner's customers: list, issue, change; each shown with its derived status. */
@Injectable()
export class PartnerLicensesService {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly licenses: LicenseRepository,
    private readonly audit: PartnerAudit,
    private readonly events: PartnerEvents,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly partners: PartnerRepository,
    private readonly companyUsers: CompanyUserRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async listLicenses(actor: PartnerActor, customerId: string) {
    await found(this.customers.findOne(actor.partnerId, customerId), 'customer');
    const now = this.clock.now();
    const items = await this.licenses.list(actor.partnerId, customerId);
    return { items: items.map((l) => licenseView(l, now, this.config.licenseExpiringDays)) };
  }

  async getLicense(actor: PartnerActor, customerId: string, licenseId: string) {
    const license = await this.requireLicense(actor, customerId, licenseId);
    return licenseView(license, this.clock.now(), this.config.licenseExpiringDays);
  }

  async createLicense(actor: PartnerActor, customerId: string, input: NewLicense) {
    await found(this.customers.findOne(actor.partnerId, customerId), 'customer');
    checkLicenseDates(input.startsAt, input.expiresAt);
    const license = {
      id: newId(),
      customerId,
      product: input.product.trim(),
      seats: input.seats,
      startsAt: input.startsAt,
      expiresAt: input.expiresAt,
      status: 'active',
      createdAt: this.clock.now(),
    };
    await this.tx.run(async (tx) => {
      const { em } = tx;
      await this.licenses.insert(em, license);
      const data = licenseEventData(license);
      await this.events.record(tx, { partnerId: actor.partnerId, type: 'license.created', data });
      await this.audit.record(
        em,
        actor,
        AuditAction.LicenseCreated,
        { licenseId: license.id, product: license.product, seats: license.seats },
        { customerId },
      );
    });
    return licenseView(license, this.clock.now(), this.config.licenseExpiringDays);
  }

  /** Changes some of a license's fields; the dates are checked as they will be after the change. */
  async updateLicense(actor: PartnerActor, customerId: string, licenseId: string, input: LicenseChanges) {
    const license = await this.requireLicense(actor, customerId, licenseId);
    checkLicenseDates(input.startsAt ?? license.startsAt, input.expiresAt ?? license.expiresAt);
    const next = defined({
      product: input.product?.trim(),
      seats: input.seats,
      startsAt: input.startsAt,
      expiresAt: input.expiresAt,
      status: input.status,
    });
    const changes = changedFields(license, next);
    if (Object.keys(changes).length > 0) {
      await this.tx.run(async (tx) => {
        const { em } = tx;
        await this.licenses.update(em, actor.partnerId, customerId, licenseId, next);
        const data = { ...licenseEventData({ ...license, ...next }), changed: Object.keys(changes) };
        await this.events.record(tx, { partnerId: actor.partnerId, type: 'license.changed', data });
        await this.audit.record(em, actor, AuditAction.LicenseChanged, { licenseId, ...changes }, { customerId });
      });
    }
    return this.getLicense(actor, customerId, licenseId);
  }

  /**
   * Renews a license: with a period, the new expiry counts from the old one, or from now when it
   * has already expired, so a late renewal neither loses paid time nor backdates it. The new
   * expiry re-arms every expiry notice (notices are kept per expiry). The company's Full Access
   * users are told by mail.
   */
  async renewLicense(actor: PartnerActor, customerId: string, licenseId: string, input: LicenseRenewal) {
    const license = await this.requireLicense(actor, customerId, licenseId);
    const now = this.clock.now();
    if ((input.expiresAt === undefined) === (input.period === undefined)) {
      throw new ValidationProblem([{ field: 'expiresAt', message: 'give either expiresAt or period' }]);
    }
    let expiresAt = input.expiresAt;
    if (input.period !== undefined) {
      expiresAt = renewedExpiry(license.expiresAt, input.period, now) ?? undefined;
      if (!expiresAt)
        throw new ValidationProblem([{ field: 'period', message: 'must be a period like P1Y, P6M or P30D' }]);
    }
    if (!expiresAt || expiresAt <= now || expiresAt <= license.expiresAt) {
      throw new ValidationProblem([
        { field: 'expiresAt', message: 'must be later than now and than the current expiry' },
      ]);
    }
    checkLicenseDates(license.startsAt, expiresAt);
    const seats = input.seats ?? license.seats;
    await this.tx.run(async (tx) => {
      await this.licenses.update(tx.em, actor.partnerId, customerId, licenseId, { expiresAt, seats });
      await this.audit.record(
        tx.em,
        actor,
        AuditAction.LicenseRenewed,
        {
          licenseId,
          product: license.product,
          previousExpiresAt: license.expiresAt.toISOString(),
          expiresAt: expiresAt.toISOString(),
          seats,
          period: input.period ?? null,
        },
        { customerId },
      );
      const customer = await found(this.customers.findOne(actor.partnerId, customerId, tx.em), 'customer');
      const partnerName = await this.partners.nameOf(actor.partnerId);
      for (const user of await this.companyUsers.fullAccessUsers(tx.em, customerId)) {
        await this.outbox.mail(tx, MailTemplate.LicenseRenewed, user.email, {
          firstName: user.firstName || user.email,
          companyName: customer.companyName,
          partnerName,
          product: license.product,
          seats,
          expiresOn: longDate(expiresAt),
          licensesLink: `${this.config.publicUrl}/company/licenses`,
        });
      }
    });
    return this.getLicense(actor, customerId, licenseId);
  }

  private requireLicense(actor: PartnerActor, customerId: string, licenseId: string): Promise<License> {
    return found(this.licenses.findOne(actor.partnerId, customerId, licenseId), 'license');
  }
}

/** A license ends after it starts; checked on the values as they will be stored. */
function checkLicenseDates(startsAt: Date, expiresAt: Date): void {
  if (expiresAt <= startsAt) throw new ValidationProblem([{ field: 'expiresAt', message: 'must be after startsAt' }]);
}
