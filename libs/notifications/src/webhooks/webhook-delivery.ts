import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Clock, SecretBox } from '@lmp/common';
import { OutboxMessage, Tx, WebhookDeliveryState } from '@lmp/database';
import { MailTemplate } from '../jobs';
import { WebhookEnvelope } from '../outbox-envelope';
import type { OutboxWriter } from '../outbox.writer';
import { postWebhook, SendResult, WebhookSendError } from './webhook-sender';
import { signatureHeaders } from './webhook-signature';
import { WebhookStore } from './webhook-store';

/** A webhook that cannot be sent to at all (deleted, disabled): no retry changes it. */
export class WebhookGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookGoneError';
  }
}

/** What an attempt came to, as the deliveries list shows it. */
export interface AttemptOutcome {
  state: WebhookDeliveryState;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** The outcome of a failed attempt, read from its error. */
export function failedOutcome(err: unknown, state: WebhookDeliveryState, reason: string): AttemptOutcome {
  const e = err instanceof WebhookSendError ? err : null;
  return { state, statusCode: e?.statusCode ?? null, latencyMs: e?.latencyMs ?? 0, error: reason };
}

/**
 * Sends one webhook event (signed per Standard Webhooks with the webhook's secret) and records
 * each attempt. A webhook whose deliveries die `webhookDisableAfterDead` times in a row is
 * disabled and its partner's admins are emailed.
 */
@Injectable()
export class WebhookDelivery {
  private readonly logger = new Logger(WebhookDelivery.name);
  private readonly box: SecretBox;

  constructor(
    private readonly store: WebhookStore,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.dataEncryptionKey);
  }

  get maxAttempts(): number {
    return this.config.webhookRetryScheduleMs.length + 1;
  }

  /** The wait after failed attempt `attempt` (1-based). */
  retryDelay(attempt: number): number {
    const schedule = this.config.webhookRetryScheduleMs;
    return schedule[Math.min(attempt, schedule.length) - 1] ?? 0;
  }

  async send(envelope: WebhookEnvelope): Promise<SendResult> {
    const target = await this.store.findTarget(envelope.to);
    if (!target) throw new WebhookGoneError('the webhook was deleted');
    if (!target.enabled) throw new WebhookGoneError('the webhook is disabled');
    const secret = this.box.open(target.secret, target.id);
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const { eventId, body } = envelope.props;
    const headers = signatureHeaders(secret, eventId, timestamp, body);
    return postWebhook(target.url, headers, body, this.config.webhookAllowPrivateNetworks);
  }

  /** Records attempt `attempt` of the row in the transaction that settles it. */
  async settle(tx: Tx, row: OutboxMessage, attempt: number, outcome: AttemptOutcome, outbox: OutboxWriter) {
    const target = await this.store.findTarget(row.recipient);
    if (!target) return; // deleted: its attempts went with it
    const now = this.clock.now();
    const eventId = typeof row.payload?.eventId === 'string' ? row.payload.eventId : row.id;
    await this.store.recordAttempt(
      tx.em,
      { webhookId: target.id, outboxId: row.id, eventId, eventType: row.template, attempt, ...outcome },
      now,
    );
    if (outcome.state === 'delivered') await this.store.resetDeadRun(tx.em, target.id);
    if (outcome.state !== 'dead' || !target.enabled) return;
    const limit = this.config.webhookDisableAfterDead;
    const reason = `${limit} deliveries in a row failed; the last: ${outcome.error ?? 'no answer'}`;
    if (!(await this.store.countDead(tx.em, target.id, limit, reason, now))) return;
    this.logger.warn(
      { webhookId: target.id, partnerId: target.partnerId, deadInARow: limit, lastError: outcome.error },
      'webhook disabled after failed deliveries; its partner admins are emailed (they can turn it back on)',
    );
    for (const admin of await this.store.adminsOf(tx.em, target.partnerId)) {
      await outbox.mail(tx, MailTemplate.WebhookDisabled, admin.email, {
        firstName: admin.firstName || admin.email,
        url: target.url,
        deadInARow: limit,
        lastError: outcome.error ?? 'no answer',
        webhooksLink: `${this.config.publicUrl}/partner/settings/webhooks`,
      });
    }
  }
}
