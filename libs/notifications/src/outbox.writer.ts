import { Injectable } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { newId, Tx } from '@lmp/database';
import { MailTemplate, SmsTemplate } from './jobs';
import { MailTemplateProps } from './mail-templates';
import { MailEnvelope, SmsEnvelope, StorableEnvelope, WebhookEnvelope, WebhookProps } from './outbox-envelope';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxRepository } from './outbox.repository';
import { SmsTemplateProps } from './sms-templates';

/**
 * Composes messages: the row is written inside the caller's transaction and handed to the
 * queue only after that transaction commits. This is the only way services send anything.
 */
@Injectable()
export class OutboxWriter {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly clock: Clock,
  ) {}

  /**
   * `props` must be the template's own props type: anything else does not compile.
   * `id`: the message's id when the caller chose it first (to store it beside a token in one insert).
   */
  mail<T extends MailTemplate>(
    tx: Tx,
    template: T,
    to: string,
    props: MailTemplateProps[T],
    id?: string,
  ): Promise<string> {
    const envelope: MailEnvelope<T> = { kind: 'mail', template, to, props };
    return this.write(tx, envelope, id);
  }

  /** `to` is an E.164 phone number. */
  sms<T extends SmsTemplate>(tx: Tx, template: T, to: string, props: SmsTemplateProps[T]): Promise<string> {
    const envelope: SmsEnvelope<T> = { kind: 'sms', template, to, props };
    return this.write(tx, envelope);
  }

  /** One event for one webhook (`PartnerEvents` composes it): the same body on every attempt. */
  webhook(tx: Tx, webhookId: string, type: WebhookEnvelope['template'], props: WebhookProps): Promise<string> {
    const envelope: WebhookEnvelope = { kind: 'webhook', template: type, to: webhookId, props };
    return this.write(tx, { ...envelope, props: { ...props } });
  }

  private async write(tx: Tx, envelope: StorableEnvelope, id = newId()): Promise<string> {
    const now = this.clock.now();
    const row = { id, kind: envelope.kind, template: envelope.template };
    await this.outbox.insert(tx.em, {
      ...row,
      recipient: envelope.to,
      payload: envelope.props,
      status: 'pending',
      attempts: 0,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
      dueAt: now,
    });
    tx.afterCommit(async () => {
      await this.dispatcher.dispatch(row);
    });
    return row.id;
  }
}
