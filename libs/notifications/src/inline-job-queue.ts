import { Logger } from '@nestjs/common';
import { checkJobHandlers, JobHandlers, runJob } from './job-handlers';
import { JobQueue } from './job-queue';
import { backoffDelay, DeliveryJob, JobItem, MaintenanceJobItem, QueueName } from './jobs';
import { PermanentDeliveryError, RetryLaterError, RowBusyError } from './outbox.processor';

/**
 * The embedded mode's queue: the console runs the same processor in-process. The row decides
 * when a failed message is tried again (the delay the processor stored with it); an error the
 * processor did not expect (the database out of reach) is retried with the same backoff, up to
 * `maxAttempts` times, and then left to the relay. Like a BullMQ job id, an outbox id runs once
 * at a time: queuing it again while it runs or waits does nothing. A maintenance job runs once
 * (as the worker's does), and not while the same one runs.
 */
export class InlineJobQueue extends JobQueue {
  private readonly logger = new Logger(InlineJobQueue.name);
  private readonly inflight = new Set<Promise<void>>();
  private readonly byId = new Set<string>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private closed = false;

  constructor(
    private readonly handlers: JobHandlers,
    private readonly maxAttempts: number,
    private readonly baseDelayMs = 2000,
    private readonly webhookAttempts = maxAttempts,
  ) {
    super();
    checkJobHandlers(handlers);
  }

  async enqueue(item: JobItem, delayMs = 0): Promise<void> {
    if (this.closed) throw new Error('queue is closed');
    const id = item.queue === QueueName.Maintenance ? `${item.queue}:${item.name}` : item.data.outboxId;
    if (this.byId.has(id)) return;
    this.byId.add(id);
    const work = item.queue === QueueName.Maintenance ? this.runOnce(item) : this.runWithRetries(item, delayMs);
    const run = work.finally(() => {
      this.inflight.delete(run);
      this.byId.delete(id);
    });
    this.inflight.add(run);
  }

  async isAlive(item: DeliveryJob): Promise<boolean> {
    return this.byId.has(item.data.outboxId);
  }

  async requeue(item: DeliveryJob, delayMs = 0): Promise<void> {
    await this.enqueue(item, delayMs);
  }

  async forget(): Promise<void> {
    // in-process jobs leave nothing behind
  }

  /** Resolves when every queued job has finished (sent, dead, or waiting was cut by close). */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.wake();
    }
    await this.drain();
  }

  private async runOnce(item: MaintenanceJobItem): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.closed) return;
    try {
      await runJob(this.handlers, item);
    } catch (err) {
      this.logger.warn({ job: item.name, reason: (err as Error).message }, 'maintenance job failed');
    }
  }

  private async runWithRetries(item: DeliveryJob, delayMs: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (delayMs > 0) await this.sleep(delayMs);
    if (this.closed) return;
    for (let failures = 0; ;) {
      let waitMs: number;
      try {
        await runJob(this.handlers, item);
        return;
      } catch (err) {
        if (err instanceof PermanentDeliveryError) return;
        if (err instanceof RowBusyError) {
          waitMs = Math.max(10, err.until.getTime() - Date.now());
        } else {
          failures++;
          const limit = item.queue === QueueName.Webhook ? this.webhookAttempts : this.maxAttempts;
          if (failures >= limit) return; // the row says what is due; the relay picks it up
          waitMs = err instanceof RetryLaterError ? err.delayMs : backoffDelay(failures, this.baseDelayMs);
        }
      }
      if (this.closed) return; // the row stays as it is; the relay picks it up after a restart
      await this.sleep(waitMs);
      if (this.closed) return;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        wake: () => resolve(),
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
      };
      this.timers.add(entry);
    });
  }

  get pending(): number {
    return this.inflight.size;
  }
}
