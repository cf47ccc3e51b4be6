import { DeliveryJob, DeliveryQueue, JobItem } from './jobs';

/**
 * The one entry point for queuing work, every queue's jobs as one typed `JobItem`. BullMQ on
 * Redis in production; in-process in the embedded mode. Both run the same handlers.
 */
export abstract class JobQueue {
  /** Resolves once the job is accepted; rejects at once if the queue is unreachable. */
  abstract enqueue(item: JobItem): Promise<void>;
  /** Several at once (one round trip where the queue allows it); all or none are accepted. */
  async enqueueMany(items: JobItem[]): Promise<void> {
    for (const item of items) await this.enqueue(item);
  }
  /** True while a job with this item's id waits, is delayed or runs: queuing it again would do nothing. */
  abstract isAlive(item: DeliveryJob): Promise<boolean>;
  /**
   * Queues an item again whose job is gone or finished (lost with Redis' data, given up, or
   * done), to run in `delayMs`.
   */
  abstract requeue(item: DeliveryJob, delayMs?: number): Promise<void>;
  /** Calls `listener` each time the queue is reachable again after it was lost. */
  onReconnect(listener: () => void): void {
    void listener; // an in-process queue is never lost
  }
  /**
   * Runs `fn` unless another process runs the same `name` now (with Redis: a lock held at most
   * `ttlMs`, released when `fn` ends), so that a periodic task of every worker runs once at a
   * time across them. Resolves `{ ran: false }` when another holds it or the lock cannot be
   * reached. In-process there is one process: `fn` always runs.
   */
  async exclusive<T>(
    name: string,
    ttlMs: number,
    fn: () => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false }> {
    void name;
    void ttlMs;
    return { ran: true, value: await fn() };
  }
  /** Forgets a finished-and-failed job, so that its id can be queued again (an operator's retry). */
  abstract forget(queue: DeliveryQueue, jobId: string): Promise<void>;
  abstract close(): Promise<void>;
}
