import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Clock } from '@lmp/common';
import { FlatJson, OutboxMessage } from '@lmp/database';
import { DeliveryMetrics } from './delivery-metrics';
import { backoffDelay, queueOfKind } from './jobs';
import { LINK_PROPS } from './mail-templates';
import { MailTransport } from './mail-transport';
import { EnvelopeError, OutboxEnvelope, parseEnvelope } from './outbox-envelope';
import { OutboxSettlement } from './outbox-settlement';
import { OutboxRepository } from './outbox.repository';
import { SmsRejectedError, SmsTransport } from './sms-transport';
import { TemplateRenderer } from './template-renderer';
import { AttemptOutcome, failedOutcome, WebhookDelivery, WebhookGoneError } from './webhooks/webhook-delivery';
import { WebhookSendError } from './webhooks/webhook-sender';

/** `dead`: the row was given up before this run (out of attempts, refused); nothing is sent. */
export type ProcessResult = 'sent' | 'already-sent' | 'dead' | 'missing';

/** Thrown for a failure that no retry can fix (an SMTP 5xx on the recipient, a broken template). */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}

export function describeError(err: unknown): string {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  if (e?.responseCode) return `SMTP ${e.responseCode}: ${(e.response ?? e.message ?? '').slice(0, 200)}`;
  if (e?.code) return `${e.code}: ${(e.message ?? '').slice(0, 200)}`;
  return (e?.message ?? String(err)).slice(0, 300);
}

/** A failed attempt that will be retried: the row is `failed`, due again in `delayMs`. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryLaterError';
  }
}

/**
 * Another run holds the row (a job run again while its first run is still sending): this one
 * must not send, and should look again once the other's lease ends.
 */
export class RowBusyError extends Error {
  constructor(readonly until: Date) {
    super(`another run is sending this message; its lease ends at ${until.toISOString()}`);
    this.name = 'RowBusyError';
  }
}

/** SMTP 5xx (the recipient or message is refused for good) and gateway 4xx are not retried. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentDeliveryError || err instanceof SmsRejectedError) return true;
  // A webhook that is gone, or whose address is refused (SSRF), will not get better by waiting.
  if (err instanceof WebhookGoneError || (err instanceof WebhookSendError && err.refused)) return true;
  const code = (err as { responseCode?: number })?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * Delivers one outbox row: load, skip if already sent, claim, render, send, mark sent.
 * Business queries never run here: a retry re-sends what was composed, nothing else.
 *
 * The row decides, not the job: the attempt number is the row's, counted when the attempt is
 * claimed, and a failed attempt stores when the next one is due, so a retry whose job was lost
 * is still known to the database.
 */
@Injectable()
export class OutboxProcessor {
  private readonly logger = new Logger(OutboxProcessor.name);

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly renderer: TemplateRenderer,
    private readonly mail: MailTransport,
    private readonly sms: SmsTransport,
    private readonly metrics: DeliveryMetrics,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settlement: OutboxSettlement,
    private readonly webhooks: WebhookDelivery,
  ) {}

  async process(outboxId: string): Promise<ProcessResult> {
    let row = await this.outbox.findById(outboxId);
    for (let look = 0; ; look++) {
      if (!row) return 'missing';
      if (row.status === 'sent') return 'already-sent';
      if (row.status === 'dead') return 'dead';
      const now = this.clock.now();
      if (row.status === 'sending' && row.dueAt && row.dueAt > now) throw new RowBusyError(row.dueAt);
      if (await this.outbox.claim(row, now, new Date(now.getTime() + this.config.outboxLeaseMs))) break;
      // Someone moved the row since it was read (another run claimed, failed or sent it).
      if (look >= 2) throw new RowBusyError(new Date(now.getTime() + 1000));
      row = await this.outbox.findFresh(outboxId);
    }
    const attempt = row.attempts + 1;
    const isWebhook = row.kind === 'webhook';
    const maxAttempts = isWebhook ? this.webhooks.maxAttempts : this.config.mailAttempts;
    const queue = queueOfKind(row.kind);
    if (attempt > maxAttempts) {
      const reason = `out of attempts: the run of attempt ${row.attempts} stopped without an answer`;
      const webhook = isWebhook ? failedOutcome(null, 'dead', reason) : undefined;
      await this.settlement.settle(row, attempt, { status: 'dead', reason, dueAt: null, webhook }, this.clock.now());
      this.metrics.failed.inc({ queue, final: 'true' });
      throw new PermanentDeliveryError(reason);
    }
    const timer = this.metrics.sendSeconds.startTimer({ queue });
    let sent: AttemptOutcome | undefined;
    try {
      sent = await this.deliver(row);
    } catch (err) {
      const permanent = isPermanent(err);
      const final = permanent || attempt >= maxAttempts;
      const reason = describeError(err);
      const now = this.clock.now();
      const delayMs = isWebhook ? this.webhooks.retryDelay(attempt) : backoffDelay(attempt, this.config.retryBaseMs);
      const status = final ? 'dead' : 'failed';
      const webhook = isWebhook ? failedOutcome(err, final ? 'dead' : 'retrying', reason) : undefined;
      const dueAt = final ? null : new Date(now.getTime() + delayMs);
      await this.settlement.settle(row, attempt, { status, reason, dueAt, webhook }, now);
      this.metrics.failed.inc({ queue, final: String(final) });
      this.logger.warn(
        { outboxId: row.id, kind: row.kind, template: row.template, attempt, final, permanent, reason },
        final
          ? 'delivery failed for good: message is dead (queue:retry --dead sends it again)'
          : 'delivery failed, will retry',
      );
      if (final) throw new PermanentDeliveryError(reason, { cause: err });
      throw new RetryLaterError(reason, delayMs, { cause: err });
    }
    const seconds = timer();
    // The one window left: a crash between the server's accept and this update sends the
    // message again once the lease runs out. The Message-ID (or the gateway's idempotency key)
    // is the outbox id, so the copy can be recognised downstream.
    await this.recordSent(row, attempt, sent);
    this.metrics.completed.inc({ queue });
    this.logger.log(
      { outboxId: row.id, kind: row.kind, template: row.template, ms: Math.round(seconds * 1000) },
      'message sent',
    );
    return 'sent';
  }

  /**
   * The message is out: a database hiccup now must not turn into a second send, so the mark is
   * tried again for a while before the row is left to its lease.
   */
  private async recordSent(row: OutboxMessage, attempt: number, webhook?: AttemptOutcome): Promise<void> {
    const id = row.id;
    for (let tries = 1; ; tries++) {
      try {
        await this.settlement.settle(row, attempt, { status: 'sent', webhook }, this.clock.now());
        return;
      } catch (err) {
        if (tries >= 5) throw err;
        this.logger.warn({ outboxId: id, reason: describeError(err) }, 'could not mark a sent message; trying again');
        await new Promise((r) => setTimeout(r, 200 * tries));
      }
    }
  }

  /** Sends the row's message; for a webhook, what the receiver answered. */
  private async deliver(row: OutboxMessage): Promise<AttemptOutcome | undefined> {
    if (!row.payload) throw new PermanentDeliveryError('message has no payload');
    const envelope = this.read(row);
    if (envelope.kind === 'webhook') {
      const { statusCode, latencyMs } = await this.webhooks.send(envelope);
      return { state: 'delivered', statusCode, latencyMs, error: null };
    }
    if (envelope.kind === 'sms') {
      const text = this.render(row, () => this.renderer.renderText(envelope));
      await this.sms.send({ outboxId: row.id, to: envelope.to, text });
      return;
    }
    const rendered = this.render(row, () => this.renderer.renderMail(envelope));
    const props: FlatJson = envelope.props;
    const links = LINK_PROPS.map((p) => props[p]).filter((v): v is string => typeof v === 'string');
    await this.mail.send({ ...rendered, outboxId: row.id, to: envelope.to, from: this.config.mailFrom, links });
    return undefined;
  }

  /** A stored message that does not fit its template's type is never sent, and no retry changes it. */
  private read(row: OutboxMessage): OutboxEnvelope {
    try {
      return parseEnvelope(row);
    } catch (err) {
      if (!(err instanceof EnvelopeError)) throw err;
      throw new PermanentDeliveryError(`stored ${row.template} ${row.kind} cannot be read: ${err.message}`, {
        cause: err,
      });
    }
  }

  private render<T>(row: OutboxMessage, render: () => T): T {
    try {
      return render();
    } catch (err) {
      throw new PermanentDeliveryError(`template ${row.template} failed to render: ${describeError(err)}`, {
        cause: err,
      });
    }
  }
}
