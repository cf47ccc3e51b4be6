import { JobQueue } from './job-queue';
import { backoffDelay, JobItem } from './jobs';
import { OutboxProcessor, PermanentDeliveryError } from './outbox.processor';

/**
 * The embedded mode's queue: the console runs the same processor in-process, with the same
 * attempts and exponential backoff as the BullMQ workers.
 */
export class InlineJobQueue extends JobQueue {
  private readonly inflight = new Set<Promise<void>>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private closed = false;

  constructor(
    private readonly processor: OutboxProcessor,
    private readonly maxAttempts: number,
    private readonly baseDelayMs = 2000,
  ) {
    super();
  }

  async enqueue(item: JobItem): Promise<void> {
    if (this.closed) throw new Error('queue is closed');
    const run = this.runWithRetries(item).finally(() => this.inflight.delete(run));
    this.inflight.add(run);
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

  private async runWithRetries(item: JobItem): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.processor.process(item.data.outboxId, { attempt, maxAttempts: this.maxAttempts });
        return;
      } catch (err) {
        if (err instanceof PermanentDeliveryError || attempt >= this.maxAttempts) return;
        if (this.closed) return; // stays 'failed'; the relay picks it up after a restart
        await this.sleep(backoffDelay(attempt, this.baseDelayMs));
        if (this.closed) return;
      }
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
