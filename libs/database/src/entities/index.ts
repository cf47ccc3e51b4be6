import { ActionToken } from './action-token.entity';
import { ApiToken } from './api-token.entity';
import { AuditEvent } from './audit-event.entity';
import { Customer } from './customer.entity';
import { License } from './license.entity';
import { LicenseDigest, LicenseNotice } from './license-notice.entity';
import { OutboxMessage } from './outbox-message.entity';
import { Partner } from './partner.entity';
import { Session } from './session.entity';
import { RateLimit } from './rate-limit.entity';
import { User } from './user.entity';
import { ConsentEvent, EmailChange, EmailSubscription } from './email-subscription.entity';
import { MfaMethod, RecoveryCode } from './mfa.entity';
import { Webhook, WebhookAttempt } from './webhook.entity';

export type { FlatJson } from './columns';
export * from './action-token.entity';
export * from './api-token.entity';
export * from './audit-event.entity';
export * from './customer.entity';
export * from './license.entity';
export * from './license-notice.entity';
export * from './outbox-message.entity';
export * from './partner.entity';
export * from './session.entity';
export * from './user.entity';
export * from './rate-limit.entity';
export * from './email-subscription.entity';
export * from './mfa.entity';
export * from './webhook.entity';

/** Explicit entity list: globs break in bundled builds. */
export const ENTITIES = [
  Partner,
  Customer,
  User,
  License,
  ActionToken,
  Session,
  AuditEvent,
  OutboxMessage,
  RateLimit,
  EmailSubscription,
  ConsentEvent,
  EmailChange,
  MfaMethod,
  RecoveryCode,
  ApiToken,
  Webhook,
  WebhookAttempt,
  LicenseNotice,
  LicenseDigest,
];
