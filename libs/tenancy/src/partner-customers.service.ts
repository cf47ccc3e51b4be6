import { Inject, Injectable } from '@nestjs/common';
import { AuditAction } from '@lmp/audit';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Customer, CustomerStatus, newId, TransactionRunner } from '@lmp/database';
import { PartnerEvents } from '@lmp/notifications';
import { CustomerListQuery, CustomerRepository } from './customer.repository';
import { customerEventData } from './partner-event-data';
import { found, PartnerActor } from './partner-actor';
import { changedFields, defined, PartnerAudit } from './partner-audit';
import { customerView } from './views';

export interface CustomerChanges {
  companyName?: string;
  country?: string;
  status?: CustomerStatus;
}

/** The partner's customers (companies): browse, create, rename, move, suspend. */
@Injectable()
export class PartnerCustomersService {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly audit: PartnerAudit,
    private readonly events: PartnerEvents,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'licenseExpiringDays'>,
  ) {}

  /** One page of customers; each says whether one of its licenses is expiring (the list's badge). */
  async listCustomers(actor: PartnerActor, query: CustomerListQuery) {
    const now = this.clock.now();
    const expiring = { now, until: new Date(now.getTime() + this.config.licenseExpiringDays * 86_400_000) };
    const page = await this.customers.list(actor.partnerId, { ...query, expiring });
    return { ...page, items: page.items.map(customerView) };
  }

  /** The whole list for `q` in its order, a batch at a time (the CSV export), as the list shows it. */
  async *exportCustomers(actor: PartnerActor, query: Pick<CustomerListQuery, 'q' | 'sort'>) {
    for await (const batch of this.customers.batches(actor.partnerId, query)) yield batch.map(customerView);
  }

  async createCustomer(actor: PartnerActor, input: { companyName: string; country: string }) {
    const now = this.clock.now();
    const customer: Customer = {
      id: newId(),
      partnerId: actor.partnerId,
      companyName: input.companyName.trim(),
      country: input.country.toUpperCase(),
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    await this.tx.run(async (tx) => {
      const { em } = tx;
      await this.customers.insert(em, customer);
      const data = customerEventData(customer);
      await this.events.record(tx, { partnerId: actor.partnerId, type: 'customer.created', data });
      await this.audit.record(
        em,
        actor,
        AuditAction.CustomerCreated,
        { companyName: customer.companyName },
        { customerId: customer.id },
      );
    });
    return customerView({ ...customer, accountCount: 0, licenseCount: 0 });
  }

  async getCustomer(actor: PartnerActor, customerId: string) {
    const customer = await found(this.customers.findOne(actor.partnerId, customerId), 'customer');
    const counts = await this.customers.counts([customer.id]);
    return customerView({
      ...customer,
      accountCount: counts.accounts.get(customer.id) ?? 0,
      licenseCount: counts.licenses.get(customer.id) ?? 0,
    });
  }

  /** Renames a customer, moves its country or suspends it; audited with the fields that changed. */
  async updateCustomer(actor: PartnerActor, customerId: string, input: CustomerChanges) {
    const customer = await found(this.customers.findOne(actor.partnerId, customerId), 'customer');
    const next = defined({
      companyName: input.companyName?.trim(),
      country: input.country?.toUpperCase(),
      status: input.status,
    });
    const changes = changedFields(customer, next);
    if (Object.keys(changes).length > 0) {
      await this.tx.run(async (tx) => {
        const { em } = tx;
        await this.customers.update(em, actor.partnerId, customerId, { ...next, updatedAt: this.clock.now() });
        const data = { ...customerEventData({ ...customer, ...next }), changed: Object.keys(changes) };
        await this.events.record(tx, { partnerId: actor.partnerId, type: 'customer.changed', data });
        await this.audit.record(em, actor, AuditAction.CustomerChanged, changes, { customerId });
      });
    }
    return this.getCustomer(actor, customerId);
  }
}
