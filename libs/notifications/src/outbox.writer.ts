import { Injectable } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { FlatJson, Tx, newId } from '@lmp/database';
import { MailTemplate } from './jobs';
import { MailTemplateProps } from './mail-templates';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxRepository } from './outbox.repository';

/**
 * Composes messages: the row is written inside the caller's transaction and handed to the
 * queue only after that transaction commits. This is the only way services send mail.
 */
@Injectable()
export class OutboxWriter {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly clock: Clock,
  ) {}

  async mail<T extends MailTemplate>(tx: Tx, template: T, to: string, props: MailTemplateProps[T]): Promise<string> {
    const now = this.clock.now();
    const id = newId();
    await this.outbox.insert(tx.em, {
      id,
      kind: 'mail',
      template,
      recipient: to,
      payload: props as unknown as FlatJson,
      status: 'pending',
      attempts: 0,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
    });
    tx.afterCommit(async () => {
      await this.dispatcher.dispatch(id, template);
    });
    return id;
  }
}
