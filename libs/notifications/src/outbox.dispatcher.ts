import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { OutboxKind } from '@lmp/database';
import { JobQueue } from './job-queue';
import { DeliveryJob, MailTemplate, QueueName, SmsTemplate } from './jobs';
import { MicroBatcher } from './micro-batcher';
import { OutboxRepository } from './outbox.repository';

export interface DispatchRow {
  id: string;
  kind: OutboxKind;
  template: string;
}

/**
 * The job for a row, named by the row's template. A row read from the database carries its
 * template as text: the worker checks the name against its queue before running the job, and
 * the processor reads the row into its template's envelope before sending.
 */
export function jobFor(row: DispatchRow): DeliveryJob {
  const data = { outboxId: row.id };
  if (row.kind === 'webhook') return { queue: QueueName.Webhook, name: row.template, data };
  return row.kind === 'sms'
    ? { queue: QueueName.Sms, name: row.template as SmsTemplate, data }
    : { queue: QueueName.Mail, name: row.template as MailTemplate, data };
}

/**
 * Hands committed outbox rows to the queue. If the queue is down the row stays pending for the
 * relay. Rows committed at about the same time go to the queue together (one round trip to
 * Redis, one UPDATE), which is what keeps a busy console from spending its time on them.
 */
@Injectable()
export class OutboxDispatcher {
  private readonly logger = new Logger(OutboxDispatcher.name);
  private readonly batcher = new MicroBatcher<DispatchRow, boolean>((rows) => this.dispatchMany(rows), {
    maxSize: 200,
  });

  constructor(
    private readonly queue: JobQueue,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
  ) {}

  /** True once the row is on the queue and marked queued; false when the queue is unreachable. */
  dispatch(row: DispatchRow): Promise<boolean> {
    return this.batcher.add(row);
  }

  private async dispatchMany(rows: DispatchRow[]): Promise<boolean[]> {
    try {
      await this.queue.enqueueMany(rows.map(jobFor));
    } catch (err) {
      this.logger.warn(
        { outboxIds: rows.map((r) => r.id), reason: (err as Error).message },
        'queue unreachable: messages stay pending and the relay will queue them',
      );
      return rows.map(() => false);
    }
    const now = this.clock.now();
    await Promise.all(rows.map((r) => this.outbox.markQueued(r.id, now)));
    return rows.map(() => true);
  }
}
