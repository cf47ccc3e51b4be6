import { Injectable } from '@nestjs/common';
import { AuditAction, AuditFilter, AuditRow, AuditService } from '@lmp/audit';
import {
  checkNoticeDays,
  FieldError,
  formatNoticeDays,
  MAX_GRACE_DAYS,
  Page,
  PageRequest,
  parseNoticeDays,
  ValidationProblem,
} from '@lmp/common';
import { FlatJson, TransactionRunner } from '@lmp/database';
import { CustomerRepository } from './customer.repository';
import { found, PartnerActor } from './partner-actor';
import { PartnerAudit } from './partner-audit';
import { PartnerRepository } from './partner.repository';

export interface PartnerSettings {
  requireStaffMfa: boolean;
  /** Expiry notices to customers and the daily digest to the partner's admins. */
  licenseNotices: boolean;
  /** Days before an expiry when notices go out, largest first (the expiry day is always one). */
  licenseNoticeDays: number[];
  /** Days after the expiry during which a license shows `grace` (0 to 90). */
  licenseGraceDays: number;
}

export interface AuditListItem {
  id: string;
  at: string;
  action: string;
  actorUserId: string | null;
  actorEmail: string | null;
  /** The API token that acted, when one did. */
  actorTokenId: string | null;
  actorTokenName: string | null;
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

  /** The partner's settings: the staff 2FA policy and the license expiry notices. */
  async getSettings(actor: PartnerActor): Promise<PartnerSettings> {
    const partner = await found(this.partners.findOne(actor.partnerId), 'partner');
    return {
      requireStaffMfa: partner.requireStaffMfa,
      licenseNotices: partner.licenseNotices,
      licenseNoticeDays: parseNoticeDays(partner.licenseNoticeDays),
      licenseGraceDays: partner.licenseGraceDays,
    };
  }

  /**
   * Changes what is given; the 2FA policy takes effect at each staff member's next sign-in, the
   * notice settings at the next scan. Bad values are refused before anything is written.
   */
  async updateSettings(actor: PartnerActor, changes: Partial<PartnerSettings>): Promise<PartnerSettings> {
    const current = await this.getSettings(actor);
    const errors: FieldError[] = [];
    let days: number[] | undefined;
    if (changes.licenseNoticeDays !== undefined) {
      const checked = checkNoticeDays(changes.licenseNoticeDays);
      if ('error' in checked) errors.push({ field: 'licenseNoticeDays', message: checked.error });
      else days = checked.days;
    }
    const grace = changes.licenseGraceDays;
    if (grace !== undefined && (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_DAYS)) {
      errors.push({ field: 'licenseGraceDays', message: `must be a whole number of days from 0 to ${MAX_GRACE_DAYS}` });
    }
    if (errors.length) throw new ValidationProblem(errors);
    const next = {
      requireStaffMfa: changes.requireStaffMfa ?? current.requireStaffMfa,
      licenseNotices: changes.licenseNotices ?? current.licenseNotices,
      licenseNoticeDays: days ?? current.licenseNoticeDays,
      licenseGraceDays: grace ?? current.licenseGraceDays,
    };
    const changed: FlatJson = {};
    if (next.requireStaffMfa !== current.requireStaffMfa) changed.requireStaffMfa = next.requireStaffMfa;
    if (next.licenseNotices !== current.licenseNotices) changed.licenseNotices = next.licenseNotices;
    if (formatNoticeDays(next.licenseNoticeDays) !== formatNoticeDays(current.licenseNoticeDays)) {
      changed.licenseNoticeDays = formatNoticeDays(next.licenseNoticeDays);
    }
    if (next.licenseGraceDays !== current.licenseGraceDays) changed.licenseGraceDays = next.licenseGraceDays;
    if (Object.keys(changed).length === 0) return current;
    await this.tx.run(async ({ em }) => {
      await this.partners.update(em, actor.partnerId, {
        requireStaffMfa: next.requireStaffMfa,
        licenseNotices: next.licenseNotices,
        licenseNoticeDays: formatNoticeDays(next.licenseNoticeDays),
        licenseGraceDays: next.licenseGraceDays,
      });
      await this.audit.record(em, actor, AuditAction.PartnerSettingsChanged, changed);
    });
    return next;
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
    actorTokenId: e.actorTokenId,
    actorTokenName: e.actorTokenName,
    customerId: e.customerId,
    customerName: (e.customerId && names.get(e.customerId)) || null,
    targetUserId: e.targetUserId,
    targetEmail: e.targetEmail,
    ip: e.ip,
    detail: e.detail,
  };
}
