import { JobQueue } from './job-queue';
import { backoffDelay, JobItem } from './jobs';
import { OutboxProcessor, PermanentDeliveryError, RetryLaterError, RowBusyError } from './outbox.processor';

/**
 * The embedded mode's queue: the console runs the same processor in-process. The row decides
 * when a failed message is tried again (the delay the processor stored with it); an error the
 * processor did not expect (the database out of reach) is retried with the same backoff, up to
 * `maxAttempts` times, and then left to the relay. Like a BullMQ job id, an outbox id runs once
 * at a time: queuing it again while it runs or waits does nothing.
 */
export class InlineJobQueue extends JobQueue {
  private readonly inflight = new Set<Promise<void>>();
  private readonly byId = new Set<string>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private closed = false;

  constructor(
    private readonly processor: OutboxProcessor,
    private readonly maxAttempts: number,
    private readonly baseDelayMs = 2000,
  ) {
    super();
  }

  async enqueue(item: JobItem, delayMs = 0): Promise<void> {
    if (this.closed) throw new Error('queue is closed');
    const id = item.data.outboxId;
    if (this.byId.has(id)) return;
    this.byId.add(id);
    const run = this.runWithRetries(item, delayMs).finally(() => {
      this.inflight.delete(run);
      this.byId.delete(id);
    });
    this.inflight.add(run);
  }

  async isAlive(item: JobItem): Promise<boolean> {
    return this.byId.has(item.data.outboxId);
  }

  async requeue(item: JobItem, delayMs = 0): Promise<void> {
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

  private async runWithRetries(item: JobItem, delayMs: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (delayMs > 0) await this.sleep(delayMs);
    if (this.closed) return;
    for (let failures = 0; ;) {
      let waitMs: number;
      try {
        await this.processor.process(item.data.outboxId);
        return;
      } catch (err) {
        if (err instanceof PermanentDeliveryError) return;
        if (err instanceof RowBusyError) {
          waitMs = Math.max(10, err.until.getTime() - Date.now());
        } else {
          failures++;
          if (failures >= this.maxAttempts) return; // the row says what is due; the relay picks it up
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
