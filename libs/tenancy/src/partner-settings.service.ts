import { Injectable } from '@nestjs/common';
import { AuditAction, AuditFilter, AuditRow, AuditService } from '@lmp/audit';
import { Page, PageRequest } from '@lmp/common';
import { FlatJson, TransactionRunner } from '@lmp/database';
import { CustomerRepository } from './customer.repository';
import { found, PartnerActor } from './partner-actor';
import { PartnerAudit } from './partner-audit';
import { PartnerRepository } from './partner.repository';

export interface PartnerSettings {
  requireStaffMfa: boolean;
}

export interface AuditListItem {
  id: string;
  at: string;
  action: string;
  actorUserId: string | null;
  actorEmail: string | null;
  customerId: string | null;
  customerName: string | null;
  targetUserId: string | null;
  targetEmail: string | null;
  ip: string | null;
  detail: FlatJson | null;
}

/** The partner itself: its name, its settings and its audit trail. */
@Injectable()
export class PartnerSettingsService {
  constructor(
    private readonly partners: PartnerRepository,
    private readonly customers: CustomerRepository,
    private readonly audit: PartnerAudit,
    private readonly auditLog: AuditService,
    private readonly tx: TransactionRunner,
  ) {}

  /** The actor's own partner: its name heads the console. */
  async getPartner(actor: PartnerActor): Promise<{ id: string; code: string; name: string }> {
    const partner = await found(this.partners.findOne(actor.partnerId), 'partner');
    return { id: partner.id, code: partner.code, name: partner.name };
  }

  /** The partner's settings: for now, whether its staff must use two-factor authentication. */
  async getSettings(actor: PartnerActor): Promise<PartnerSettings> {
    const partner = await found(this.partners.findOne(actor.partnerId), 'partner');
    return { requireStaffMfa: partner.requireStaffMfa };
  }

  /** Changes take effect at each staff member's next sign-in. */
  async updateSettings(actor: PartnerActor, changes: Partial<PartnerSettings>): Promise<PartnerSettings> {
    const current = await this.getSettings(actor);
    const requireStaffMfa = changes.requireStaffMfa;
    if (requireStaffMfa === undefined || requireStaffMfa === current.requireStaffMfa) return current;
    await this.tx.run(async ({ em }) => {
      await this.partners.update(em, actor.partnerId, { requireStaffMfa });
      await this.audit.record(em, actor, AuditAction.PartnerSettingsChanged, { requireStaffMfa });
    });
    return { requireStaffMfa };
  }

  /** Every event matching the filter, newest first, a batch at a time (the CSV export). */
  async *exportAudit(actor: PartnerActor, filter: AuditFilter): AsyncGenerator<AuditListItem[]> {
    for await (const batch of this.auditLog.batchesForPartner(actor.partnerId, filter)) {
      const names = await this.customers.namesOf(
        actor.partnerId,
        batch.map((e) => e.customerId).filter((id): id is string => id !== null),
      );
      yield batch.map((e) => auditItem(e, names));
    }
  }

  /** The partner's own events, newest first, with the people and companies they name. */
  async listAudit(actor: PartnerActor, filter: AuditFilter, page: PageRequest): Promise<Page<AuditListItem>> {
    const result = await this.auditLog.listForPartner(actor.partnerId, filter, page);
    const names = await this.customers.namesOf(
      actor.partnerId,
      result.items.map((e) => e.customerId).filter((id): id is string => id !== null),
    );
    return {
      ...result,
      items: result.items.map((e) => auditItem(e, names)),
    };
  }
}

function auditItem(e: AuditRow, names: Map<string, string>): AuditListItem {
  return {
    id: e.id,
    at: e.at.toISOString(),
    action: e.action,
    actorUserId: e.actorUserId,
    actorEmail: e.actorEmail,
    customerId: e.customerId,
    customerName: (e.customerId && names.get(e.customerId)) || null,
    targetUserId: e.targetUserId,
    targetEmail: e.targetEmail,
    ip: e.ip,
    detail: e.detail,
  };
}
