import { DeliveryQueue, JobItem } from './jobs';

/**
 * The one entry point for queuing work. BullMQ on Redis in production; in-process in the
 * embedded mode. Both run the same processors.
 */
export abstract class JobQueue {
  /** Resolves once the job is accepted; rejects at once if the queue is unreachable. */
  abstract enqueue(item: JobItem): Promise<void>;
  /** Several at once (one round trip where the queue allows it); all or none are accepted. */
  async enqueueMany(items: JobItem[]): Promise<void> {
    for (const item of items) await this.enqueue(item);
  }
  /** Forgets a finished-and-failed job, so that its id can be queued again (an operator's retry). */
  abstract forget(queue: DeliveryQueue, jobId: string): Promise<void>;
  abstract close(): Promise<void>;
}
