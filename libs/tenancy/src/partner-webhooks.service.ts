import { Inject, Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { AuditAction } from '@lmp/audit';
import { Clock, FieldError, NotFoundProblem, SecretBox, ValidationProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { newId, TransactionRunner, Webhook } from '@lmp/database';
import {
  forbiddenAddress,
  newWebhookSecret,
  PartnerEvents,
  WEBHOOK_EVENT_TYPES,
  WebhookEventType,
} from '@lmp/notifications';
import { found, PartnerActor } from './partner-actor';
import { PartnerAudit } from './partner-audit';
import { webhookView, deliveryViews } from './webhook-views';
import { WebhookRepository } from './webhook.repository';

/** The longest webhook URL accepted. */
export const WEBHOOK_URL_MAX = 2000;
/** How many webhooks a partner may have. */
export const WEBHOOKS_PER_PARTNER = 20;

export interface WebhookInput {
  url?: unknown;
  events?: unknown;
  enabled?: unknown;
}

/**
 * A partner's webhooks: add (the signing secret is shown once), list, change, enable or
 * disable, delete, send a test event and list the deliveries. Every lookup is the partner's.
 */
@Injectable()
export class PartnerWebhooksService {
  private readonly box: SecretBox;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly events: PartnerEvents,
    private readonly audit: PartnerAudit,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.dataEncryptionKey);
  }

  async list(actor: PartnerActor) {
    return { items: (await this.webhooks.list(actor.partnerId)).map(webhookView) };
  }

  async get(actor: PartnerActor, id: string) {
    return webhookView(await this.require(actor, id));
  }

  async create(actor: PartnerActor, input: WebhookInput) {
    const errors: FieldError[] = [];
    const url = this.checkUrl(input.url, errors);
    const events = checkEvents(input.events, errors);
    if (errors.length || url === null || events === null) throw new ValidationProblem(errors);
    const existing = await this.webhooks.list(actor.partnerId);
    if (existing.length >= WEBHOOKS_PER_PARTNER) {
      throw new ValidationProblem(
        [{ field: 'url', message: `at most ${WEBHOOKS_PER_PARTNER} webhooks per partner` }],
        `A partner can have at most ${WEBHOOKS_PER_PARTNER} webhooks; delete one first.`,
      );
    }
    const now = this.clock.now();
    const id = newId();
    const secret = newWebhookSecret();
    const webhook: Webhook = {
      id,
      partnerId: actor.partnerId,
      url,
      events: events.join(','),
      secret: this.box.seal(secret, id),
      enabled: true,
      disabledReason: null,
      deadInARow: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.tx.run(async ({ em }) => {
      await this.webhooks.insert(em, webhook);
      await this.audit.record(em, actor, AuditAction.WebhookCreated, { webhookId: id, url, events: webhook.events });
    });
    return { ...webhookView(webhook), secret };
  }

  /** Changes the URL, the events or whether it is enabled; turning it on again clears its failures. */
  async update(actor: PartnerActor, id: string, input: WebhookInput) {
    const current = await this.require(actor, id);
    const errors: FieldError[] = [];
    const url = input.url === undefined ? undefined : this.checkUrl(input.url, errors);
    const events = input.events === undefined ? undefined : checkEvents(input.events, errors);
    if (input.enabled !== undefined && typeof input.enabled !== 'boolean') {
      errors.push({ field: 'enabled', message: 'must be true or false' });
    }
    if (errors.length || url === null || events === null) throw new ValidationProblem(errors);
    const enabled = input.enabled as boolean | undefined;
    const changes = {
      ...(url !== undefined && url !== current.url && { url }),
      ...(events !== undefined && events.join(',') !== current.events && { events: events.join(',') }),
      ...(enabled !== undefined && enabled !== current.enabled && { enabled }),
    };
    if (Object.keys(changes).length > 0) {
      const turnedOn = changes.enabled === true;
      await this.tx.run(async ({ em }) => {
        await this.webhooks.update(em, actor.partnerId, id, {
          ...changes,
          ...(turnedOn && { deadInARow: 0, disabledReason: null }),
          ...(changes.enabled === false && { disabledReason: null }),
          updatedAt: this.clock.now(),
        });
        await this.audit.record(em, actor, AuditAction.WebhookChanged, { webhookId: id, ...changes });
      });
    }
    return this.get(actor, id);
  }

  async delete(actor: PartnerActor, id: string): Promise<void> {
    await this.tx.run(async ({ em }) => {
      if (!(await this.webhooks.delete(em, actor.partnerId, id))) throw new NotFoundProblem('webhook');
      await this.audit.record(em, actor, AuditAction.WebhookDeleted, { webhookId: id });
    });
  }

  /** Queues a `ping` event for the webhook, enabled or not is checked when it is sent. */
  async sendTest(actor: PartnerActor, id: string) {
    await this.require(actor, id);
    const eventId = await this.tx.run((tx) => this.events.ping(tx, actor.partnerId, id));
    return { eventId, type: 'ping' as const, status: 'queued' as const };
  }

  async deliveries(actor: PartnerActor, id: string) {
    await this.require(actor, id);
    const [attempts, pending] = await Promise.all([this.webhooks.attempts(id), this.webhooks.pending(id)]);
    return { items: deliveryViews(attempts, pending) };
  }

  private require(actor: PartnerActor, id: string): Promise<Webhook> {
    return found(this.webhooks.findOne(actor.partnerId, id), 'webhook');
  }

  /**
   * An https URL (http too when private networks are allowed), without credentials, at most
   * WEBHOOK_URL_MAX characters. An address that can never be reached is refused here; a host
   * name is checked again, after resolving it, at every delivery.
   */
  private checkUrl(raw: unknown, errors: FieldError[]): string | null {
    const fail = (message: string) => (errors.push({ field: 'url', message }), null);
    if (typeof raw !== 'string' || raw.trim() === '') return fail('is required');
    const text = raw.trim();
    if (text.length > WEBHOOK_URL_MAX) return fail(`must be at most ${WEBHOOK_URL_MAX} characters`);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return fail('must be a full URL such as https://example.com/hooks/lmp');
    }
    const allowPrivate = this.config.webhookAllowPrivateNetworks;
    const protocols = allowPrivate ? ['https:', 'http:'] : ['https:'];
    if (!protocols.includes(url.protocol))
      return fail(allowPrivate ? 'must start with https:// or http://' : 'must start with https://');
    if (url.username || url.password) return fail('must not contain a user name or password');
    if (url.hash) return fail('must not contain a #fragment');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!allowPrivate && isIP(host) && forbiddenAddress(host)) {
      return fail('must not point to a private, loopback, link-local or reserved address');
    }
    return url.toString();
  }
}

function checkEvents(raw: unknown, errors: FieldError[]): WebhookEventType[] | null {
  const known = WEBHOOK_EVENT_TYPES as readonly string[];
  if (!Array.isArray(raw) || raw.length === 0) {
    errors.push({ field: 'events', message: 'must be a non-empty list of event types' });
    return null;
  }
  if (raw.length > known.length) {
    errors.push({ field: 'events', message: `must list at most ${known.length} event types` });
    return null;
  }
  const unknown = raw.filter((e) => typeof e !== 'string' || !known.includes(e));
  if (unknown.length) {
    errors.push({ field: 'events', message: `must be event types from: ${known.join(', ')}` });
    return null;
  }
  // Stored in the list's own order, once each.
  return WEBHOOK_EVENT_TYPES.filter((t) => (raw as string[]).includes(t));
}
