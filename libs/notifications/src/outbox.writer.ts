import { Injectable } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { FlatJson, newId, OutboxKind, Tx } from '@lmp/database';
import { MailTemplate, SmsTemplate } from './jobs';
import { MailTemplateProps } from './mail-templates';
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

  /** `id`: the message's id when the caller chose it first (to store it beside a token in one insert). */
  mail<T extends MailTemplate>(
    tx: Tx,
    template: T,
    to: string,
    props: MailTemplateProps[T],
    id?: string,
  ): Promise<string> {
    return this.write(tx, 'mail', template, to, props as unknown as FlatJson, id);
  }

  /** `to` is an E.164 phone number. */
  sms<T extends SmsTemplate>(tx: Tx, template: T, to: string, props: SmsTemplateProps[T]): Promise<string> {
    return this.write(tx, 'sms', template, to, props as unknown as FlatJson);
  }

  private async write(
    tx: Tx,
    kind: OutboxKind,
    template: string,
    to: string,
    payload: FlatJson,
    id = newId(),
  ): Promise<string> {
    const now = this.clock.now();
    const row = { id, kind, template };
    await this.outbox.insert(tx.em, {
      ...row,
      recipient: to,
      payload,
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
