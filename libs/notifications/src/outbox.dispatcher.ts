import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { OutboxKind } from '@lmp/database';
import { JobQueue } from './job-queue';
import { JobItem, MailTemplate, QueueName, SmsTemplate } from './jobs';
import { OutboxRepository } from './outbox.repository';

export interface DispatchRow {
  id: string;
  kind: OutboxKind;
  template: string;
}

export function jobFor(row: DispatchRow): JobItem {
  const data = { outboxId: row.id };
  return row.kind === 'sms'
    ? { queue: QueueName.Sms, name: row.template as SmsTemplate, data }
    : { queue: QueueName.Mail, name: row.template as MailTemplate, data };
}

/** Hands committed outbox rows to the queue. If the queue is down the row stays pending for the relay. */
@Injectable()
export class OutboxDispatcher {
  private readonly logger = new Logger(OutboxDispatcher.name);

  constructor(
    private readonly queue: JobQueue,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
  ) {}

  async dispatch(row: DispatchRow): Promise<boolean> {
    try {
      await this.queue.enqueue(jobFor(row));
    } catch (err) {
      this.logger.warn(
        { outboxId: row.id, template: row.template, reason: (err as Error).message },
        'queue unreachable: message stays pending and the relay will queue it',
      );
      return false;
    }
    await this.outbox.transition(row.id, 'pending', 'queued', this.clock.now());
    return true;
  }
}
