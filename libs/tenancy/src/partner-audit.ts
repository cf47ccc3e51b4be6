import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditAction, AuditService } from '@lmp/audit';
import { FlatJson } from '@lmp/database';
import { PartnerActor } from './partner-actor';

/** What a partner's action was about, besides the partner itself. */
export interface AuditSubject {
  customerId?: string;
  targetUserId?: string;
}

const asJson = (v: string | number | Date): string | number => (v instanceof Date ? v.toISOString() : v);

/** `value` without its undefined fields: the fields a partial update sets. */
export function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The fields of `next` whose value differs from `current`, as flat JSON for the audit trail. */
export function changedFields<T extends object>(current: T, next: Partial<T>): FlatJson {
  const out: FlatJson = {};
  for (const [key, value] of Object.entries(next) as Array<[keyof T & string, T[keyof T]]>) {
    if (value === undefined) continue;
    const before = current[key];
    const same =
      value instanceof Date && before instanceof Date ? value.getTime() === before.getTime() : value === before;
    if (!same) out[key] = asJson(value as string | number | Date);
  }
  return out;
}

/**
 * The partner's audit trail, written in the caller's transaction: every event of a partner action
 * carries the same envelope (who, which partner, from where), so it is filled in one place.
 */
@Injectable()
export class PartnerAudit {
  constructor(private readonly audit: AuditService) {}

  record(
    em: EntityManager,
    actor: PartnerActor,
    action: AuditAction,
    detail: FlatJson,
    about: AuditSubject = {},
  ): Promise<void> {
    return this.audit.record(em, {
      action,
      // A token's call names the token, not the admin who created it.
      actorUserId: actor.token ? null : actor.userId,
      actorTokenId: actor.token?.id ?? null,
      partnerId: actor.partnerId,
      customerId: about.customerId,
      targetUserId: about.targetUserId,
      ip: actor.ip,
      detail,
    });
  }
}
