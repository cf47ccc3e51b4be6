import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { Clock } from '@lmp/common';
import { OutboxMessage } from '@lmp/database';
import { DeliveryMetrics } from './delivery-metrics';
import { MailTemplate, queueOfKind, SmsTemplate } from './jobs';
import { LINK_PROPS, MailTemplateProps } from './mail-templates';
import { MailTransport } from './mail-transport';
import { OutboxRepository } from './outbox.repository';
import { SmsTemplateProps } from './sms-templates';
import { SmsRejectedError, SmsTransport } from './sms-transport';
import { TemplateRenderer } from './template-renderer';

export type ProcessResult = 'sent' | 'already-sent' | 'missing';

export interface AttemptInfo {
  /** 1 for the first attempt. */
  attempt: number;
  maxAttempts: number;
}

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

/** SMTP 5xx (the recipient or message is refused for good) and gateway 4xx are not retried. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentDeliveryError || err instanceof SmsRejectedError) return true;
  const code = (err as { responseCode?: number })?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * Delivers one outbox row: load, skip if already sent, render, send, mark sent.
 * Business queries never run here: a retry re-sends what was composed, nothing else.
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
  ) {}

  async process(outboxId: string, info: AttemptInfo): Promise<ProcessResult> {
    const row = await this.outbox.findById(outboxId);
    if (!row) return 'missing';
    if (row.status === 'sent') return 'already-sent';
    const queue = queueOfKind(row.kind);
    const timer = this.metrics.sendSeconds.startTimer({ queue });
    try {
      await this.deliver(row);
    } catch (err) {
      const permanent = isPermanent(err);
      const final = permanent || info.attempt >= info.maxAttempts;
      const reason = describeError(err);
      await this.outbox.markFailure(row.id, final ? 'dead' : 'failed', info.attempt, reason, this.clock.now());
      this.metrics.failed.inc({ queue, final: String(final) });
      this.logger.warn(
        { outboxId: row.id, kind: row.kind, template: row.template, attempt: info.attempt, final, permanent, reason },
        final
          ? 'delivery failed for good: message is dead (queue:retry --dead sends it again)'
          : 'delivery failed, will retry',
      );
      throw permanent ? new PermanentDeliveryError(reason, { cause: err }) : err;
    }
    const seconds = timer();
    // The one window left: a crash between the server's accept and this update sends the
    // message again on retry. The Message-ID (or the gateway's idempotency key) is the
    // outbox id, so the copy can be recognised downstream.
    await this.outbox.markSent(row.id, info.attempt, this.clock.now());
    this.metrics.completed.inc({ queue });
    this.logger.log(
      { outboxId: row.id, kind: row.kind, template: row.template, ms: Math.round(seconds * 1000) },
      'message sent',
    );
    return 'sent';
  }

  private async deliver(row: OutboxMessage): Promise<void> {
    if (!row.payload) throw new PermanentDeliveryError('message has no payload');
    if (row.kind === 'sms') {
      const template = row.template as SmsTemplate;
      const text = this.render(row, () =>
        this.renderer.renderSms(template, row.payload as unknown as SmsTemplateProps[typeof template]),
      );
      await this.sms.send({ outboxId: row.id, to: row.recipient, text });
      return;
    }
    const template = row.template as MailTemplate;
    const rendered = this.render(row, () =>
      this.renderer.render(template, row.payload as unknown as MailTemplateProps[typeof template]),
    );
    const links = LINK_PROPS.map((p) => row.payload?.[p]).filter((v): v is string => typeof v === 'string');
    await this.mail.send({ ...rendered, outboxId: row.id, to: row.recipient, from: this.config.mailFrom, links });
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
