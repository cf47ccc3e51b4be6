import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JobQueue } from './job-queue';
import { MaintenanceJob, QueueName } from './jobs';

/** The embedded mode's stand-in for the worker's hourly BullMQ prune schedule: it queues the same job. */
@Injectable()
export class MaintenanceScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaintenanceScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly queue: JobQueue) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.queue
        .enqueue({ queue: QueueName.Maintenance, name: MaintenanceJob.Prune, data: {} })
        .catch((err: Error) => this.logger.warn({ reason: err.message }, 'could not queue the prune job'));
    }, 3600_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
