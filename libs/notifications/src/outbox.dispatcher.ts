import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { JobQueue } from './job-queue';
import { MailTemplate, QueueName } from './jobs';
import { OutboxRepository } from './outbox.repository';

/** Hands committed outbox rows to the queue. If the queue is down the row stays pending for the relay. */
@Injectable()
export class OutboxDispatcher {
  private readonly logger = new Logger(OutboxDispatcher.name);

  constructor(
    private readonly queue: JobQueue,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
  ) {}

  async dispatch(outboxId: string, template: MailTemplate): Promise<boolean> {
    try {
      await this.queue.enqueue({ queue: QueueName.Mail, name: template, data: { outboxId } });
    } catch (err) {
      this.logger.warn(
        { outboxId, template, reason: (err as Error).message },
        'queue unreachable: message stays pending and will be queued by the relay',
      );
      return false;
    }
    await this.outbox.markQueued(outboxId, this.clock.now());
    return true;
  }
}
