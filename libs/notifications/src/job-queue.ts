import { DeliveryQueue, JobItem } from './jobs';

/**
 * The one entry point for queuing work. BullMQ on Redis in production; in-process in the
 * embedded mode. Both run the same processors.
 */
export abstract class JobQueue {
  /** Resolves once the job is accepted; rejects at once if the queue is unreachable. */
  abstract enqueue(item: JobItem): Promise<void>;
  /** Forgets a finished-and-failed job, so that its id can be queued again (an operator's retry). */
  abstract forget(queue: DeliveryQueue, jobId: string): Promise<void>;
  abstract close(): Promise<void>;
}
