import { WEBHOOK_EVENT_TYPES } from '@lmp/notifications';
import { DeliveryView, WebhookView } from '@lmp/tenancy';
import { Badge, dateTime } from '../../web/format';
import { FieldErrors } from '../../web/forms';

export const WEBHOOKS_PATH = '/partner/settings/webhooks';
export const webhookPath = (id: string): string => `${WEBHOOKS_PATH}/${id}`;

/** What each event means, in the words the page shows beside its checkbox. */
const EVENT_LABELS: Record<string, string> = {
  'customer.created': 'A customer is added',
  'customer.changed': 'A customer is renamed, moved or suspended',
  'account.created': 'An account is added',
  'account.changed': 'An account is changed, enabled or disabled',
  'password_reset.requested': 'Your staff ask for a password reset',
  'password_reset.sent': 'A reset email is handed to the mail server',
  'password_reset.failed': 'A reset email could not be sent',
  'password_reset.used': 'A reset link is used',
  'license.created': 'A license is added',
  'license.changed': 'A license is changed',
  'license.expiring': 'A license is about to expire',
  'license.expired': 'A license has expired',
};

const DELIVERY_BADGES: Record<DeliveryView['state'], Badge> = {
  pending: { text: 'Pending', tone: 'blue' },
  delivered: { text: 'Delivered', tone: 'green' },
  retrying: { text: 'Will retry', tone: 'amber' },
  dead: { text: 'Failed', tone: 'red' },
};

/** The event checkboxes, ticked as `selected` says. */
export function eventChoices(selected: readonly string[]) {
  return WEBHOOK_EVENT_TYPES.map((type, i) => ({
    id: `event-${i}`,
    type,
    label: EVENT_LABELS[type],
    checked: selected.includes(type),
  }));
}

export function webhookRow(w: WebhookView) {
  return {
    ...w,
    href: webhookPath(w.id),
    statusBadge: w.enabled ? { text: 'Enabled', tone: 'green' } : { text: 'Disabled', tone: 'grey' },
    eventCount: w.events.length === 1 ? '1 event' : `${w.events.length} events`,
    created: dateTime(w.createdAt),
  };
}

export function deliveryRow(d: DeliveryView) {
  return {
    ...d,
    when: dateTime(d.at),
    stateBadge: DELIVERY_BADGES[d.state],
    answer: d.statusCode === null ? null : String(d.statusCode),
    latency: d.latencyMs === null || d.state === 'pending' ? null : `${d.latencyMs} ms`,
  };
}

/** The add / edit form's values: the URL and the ticked events, as posted. */
export interface WebhookFormValues {
  url: string;
  events: string[];
}

/** The posted form: `events` is one value per ticked box (one box ticked posts a string). */
export function postedWebhook(body: unknown): WebhookFormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const raw = b.events;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return {
    url: typeof b.url === 'string' ? b.url : '',
    events: list.filter((e): e is string => typeof e === 'string').slice(0, 50),
  };
}

export const WEBHOOK_FORM = {
  fields: {
    url: 'Enter the full https:// address of your receiver (no user name or password).',
    events: 'Tick at least one event.',
  },
};

export interface FormState {
  values: WebhookFormValues;
  errors: FieldErrors;
}
