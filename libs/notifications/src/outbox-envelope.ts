import { FlatJson } from '@lmp/database';
import { MailTemplate, SmsTemplate } from './jobs';
import { ApiTokenNotice, MailTemplateProps } from './mail-templates';
import { PING_EVENT, WEBHOOK_EVENT_TYPES, WebhookEventType } from './partner-events';
import { SmsTemplateProps } from './sms-templates';

/**
 * One message as composed: the template decides the type of its props. `MailEnvelope` is the
 * union over every template; `MailEnvelope<T>` is the one for template T. The writer stores an
 * envelope and the processor reads one back, so a template's props type is the contract at
 * both ends.
 */
export type MailEnvelope<T extends MailTemplate = MailTemplate> = {
  [K in T]: { kind: 'mail'; template: K; to: string; props: MailTemplateProps[K] };
}[T];

/** A text message as composed; `to` is an E.164 number. */
export type SmsEnvelope<T extends SmsTemplate = SmsTemplate> = {
  [K in T]: { kind: 'sms'; template: K; to: string; props: SmsTemplateProps[K] };
}[T];

/** A webhook's event body, as composed (its JSON text is signed and sent as it is on every attempt). */
export interface WebhookProps {
  eventId: string;
  body: string;
}

/** One event for one webhook: `to` is the webhook's id, `template` the event type (or `ping`). */
export type WebhookEnvelope = {
  kind: 'webhook';
  template: WebhookEventType | typeof PING_EVENT;
  to: string;
  props: WebhookProps;
};

export type OutboxEnvelope = MailEnvelope | SmsEnvelope | WebhookEnvelope;

/**
 * An envelope as the outbox row stores it. Every template's props must be flat (the payload
 * column holds scalars by name): the writer hands its envelope over as this type, so a template
 * with a nested prop does not compile.
 */
export interface StorableEnvelope {
  kind: OutboxEnvelope['kind'];
  template: OutboxEnvelope['template'];
  to: string;
  props: FlatJson;
}

/** How a stored prop is checked, derived from its type so that the two cannot drift apart. */
type FieldRule<V> = [V] extends [string]
  ? 'string'
  : [V] extends [number]
    ? 'number'
    : [V] extends [boolean]
      ? 'boolean'
      : [V] extends [string | null]
        ? 'string|null'
        : [V] extends [number | null]
          ? 'number|null'
          : never;

/** One rule per prop, no more and no fewer: a prop added to or removed from a template is a compile error here. */
type Shape<P> = { readonly [K in keyof P]-?: FieldRule<P[K]> };

const API_TOKEN_NOTICE: Shape<ApiTokenNotice> = {
  firstName: 'string',
  partnerName: 'string',
  tokenName: 'string',
  scopes: 'string',
  changedBy: 'string',
  changedAt: 'string',
  tokensLink: 'string',
};

const MAIL_SHAPES: { readonly [T in MailTemplate]: Shape<MailTemplateProps[T]> } = {
  [MailTemplate.Invitation]: {
    firstName: 'string',
    companyName: 'string',
    partnerName: 'string|null',
    link: 'string',
    expiresInHours: 'number',
  },
  [MailTemplate.PasswordReset]: {
    firstName: 'string',
    link: 'string',
    expiresInMinutes: 'number',
    partnerName: 'string|null',
  },
  [MailTemplate.PasswordChanged]: {
    firstName: 'string',
    changedAt: 'string',
    signInLink: 'string',
    notMeLink: 'string|null',
  },
  [MailTemplate.EmailVerify]: { firstName: 'string', link: 'string', expiresInHours: 'number' },
  [MailTemplate.SignupAttempt]: { firstName: 'string', signInLink: 'string', forgotPasswordLink: 'string' },
  [MailTemplate.AccountLocked]: { firstName: 'string', minutes: 'number', forgotPasswordLink: 'string' },
  [MailTemplate.EmailChangeVerify]: {
    firstName: 'string',
    newEmail: 'string',
    link: 'string',
    expiresInHours: 'number',
  },
  [MailTemplate.EmailChangeRequested]: { firstName: 'string', newEmail: 'string', notMeLink: 'string' },
  [MailTemplate.AccountRecovery]: {
    firstName: 'string',
    link: 'string',
    expiresInMinutes: 'number',
    forgotPasswordLink: 'string',
  },
  [MailTemplate.RolePromoted]: {
    firstName: 'string',
    promotedName: 'string',
    promotedEmail: 'string',
    companyName: 'string',
    partnerName: 'string',
  },
  [MailTemplate.MfaCode]: { firstName: 'string', code: 'string', minutes: 'number', purpose: 'string' },
  [MailTemplate.MfaChanged]: { firstName: 'string', change: 'string', changedAt: 'string', securityLink: 'string' },
  [MailTemplate.MfaDisabled]: {
    firstName: 'string',
    changedAt: 'string',
    disabledBy: 'string|null',
    securityLink: 'string',
    forgotPasswordLink: 'string',
  },
  [MailTemplate.RecoveryCodesLow]: { firstName: 'string', left: 'number', securityLink: 'string' },
  [MailTemplate.InvitationAttempt]: { firstName: 'string', signInLink: 'string' },
  [MailTemplate.ApiTokenCreated]: API_TOKEN_NOTICE,
  [MailTemplate.ApiTokenRevoked]: API_TOKEN_NOTICE,
  [MailTemplate.WebhookDisabled]: {
    firstName: 'string',
    url: 'string',
    deadInARow: 'number',
    lastError: 'string',
    webhooksLink: 'string',
  },
  [MailTemplate.LicenseExpiring]: {
    firstName: 'string',
    companyName: 'string',
    partnerName: 'string',
    product: 'string',
    seats: 'number',
    expiresOn: 'string',
    daysLeft: 'number',
    licensesLink: 'string',
  },
  [MailTemplate.LicenseExpired]: {
    firstName: 'string',
    companyName: 'string',
    partnerName: 'string',
    product: 'string',
    seats: 'number',
    expiresOn: 'string',
    graceDaysLeft: 'number',
    licensesLink: 'string',
  },
  [MailTemplate.LicenseDigest]: {
    firstName: 'string',
    partnerName: 'string',
    count: 'number',
    items: 'string',
    licensesLink: 'string',
  },
  [MailTemplate.LicenseRenewed]: {
    firstName: 'string',
    companyName: 'string',
    partnerName: 'string',
    product: 'string',
    seats: 'number',
    expiresOn: 'string',
    licensesLink: 'string',
  },
};

const SMS_SHAPES: { readonly [T in SmsTemplate]: Shape<SmsTemplateProps[T]> } = {
  [SmsTemplate.VerificationCode]: { code: 'string', minutes: 'number' },
};

/** Every webhook event has the same props: the event id and its JSON body. */
const WEBHOOK_SHAPE: Shape<WebhookProps> = { eventId: 'string', body: 'string' };

type Rule = FieldRule<string> | FieldRule<number> | FieldRule<boolean> | 'string|null' | 'number|null';

const ACCEPTS: Record<Rule, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  'string|null': (v) => v === null || typeof v === 'string',
  'number|null': (v) => v === null || (typeof v === 'number' && Number.isFinite(v)),
};

const EXPECTED: Record<Rule, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  'string|null': 'a string or null',
  'number|null': 'a number or null',
};

/** A stored message that does not fit its template's type. `field` names what is wrong. */
export class EnvelopeError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'EnvelopeError';
  }
}

/** The columns of an outbox row that make up its message. */
export interface StoredMessage {
  kind: string;
  template: string;
  recipient: string;
  payload: unknown;
}

function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Copies exactly the props the shape names, each checked. Props the shape does not name are
 * dropped, not refused: a row written before a prop was retired still renders.
 */
function readProps<P>(shape: Shape<P>, payload: unknown): P {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new EnvelopeError('props', `must be an object (got ${kindOf(payload)})`);
  }
  const stored = payload as Record<string, unknown>;
  const props: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(shape) as Array<[string, Rule]>) {
    const value = stored[name];
    if (value === undefined) throw new EnvelopeError(`props.${name}`, 'is missing');
    if (!ACCEPTS[rule](value)) {
      throw new EnvelopeError(`props.${name}`, `must be ${EXPECTED[rule]} (got ${kindOf(value)})`);
    }
    props[name] = value;
  }
  // Every prop the type has was checked against the rule its type demands (Shape<P> has one per prop).
  return props as P;
}

const isMailTemplate = (name: string): name is MailTemplate => Object.prototype.hasOwnProperty.call(MAIL_SHAPES, name);
const isSmsTemplate = (name: string): name is SmsTemplate => Object.prototype.hasOwnProperty.call(SMS_SHAPES, name);
const isWebhookEvent = (name: string): name is WebhookEnvelope['template'] =>
  name === PING_EVENT || (WEBHOOK_EVENT_TYPES as readonly string[]).includes(name);

function readRecipient(row: StoredMessage): string {
  if (typeof row.recipient !== 'string' || row.recipient.trim() === '') {
    throw new EnvelopeError('to', 'must be a non-empty string');
  }
  return row.recipient;
}

function readMail<T extends MailTemplate>(template: T, to: string, props: unknown): MailEnvelope<T> {
  return { kind: 'mail', template, to, props: readProps(MAIL_SHAPES[template], props) };
}

function readSms<T extends SmsTemplate>(template: T, to: string, props: unknown): SmsEnvelope<T> {
  return { kind: 'sms', template, to, props: readProps(SMS_SHAPES[template], props) };
}

/**
 * Reads an outbox row back into the envelope it was written from, checking every prop its
 * template needs. Throws an EnvelopeError naming the first field that does not fit.
 */
export function parseEnvelope(row: StoredMessage): OutboxEnvelope {
  if (row.kind === 'mail') {
    if (!isMailTemplate(row.template)) {
      throw new EnvelopeError('template', `"${row.template}" is not a mail template`);
    }
    return readMail(row.template, readRecipient(row), row.payload);
  }
  if (row.kind === 'sms') {
    if (!isSmsTemplate(row.template)) {
      throw new EnvelopeError('template', `"${row.template}" is not a text-message template`);
    }
    return readSms(row.template, readRecipient(row), row.payload);
  }
  if (row.kind === 'webhook') {
    if (!isWebhookEvent(row.template)) {
      throw new EnvelopeError('template', `"${row.template}" is not a webhook event type`);
    }
    const props = readProps(WEBHOOK_SHAPE, row.payload);
    return { kind: 'webhook', template: row.template, to: readRecipient(row), props };
  }
  throw new EnvelopeError('kind', `"${row.kind}" is neither mail, sms nor webhook`);
}
