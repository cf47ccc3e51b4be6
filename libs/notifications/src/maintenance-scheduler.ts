import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { JobQueue } from './job-queue';
import { MaintenanceJob, QueueName } from './jobs';

/**
 * The embedded mode's stand-in for the worker's BullMQ schedules: it queues the same jobs, the
 * hourly prune and the license expiry scan (every LICENSE_SCAN_INTERVAL_MINUTES). The in-process
 * queue runs one job of a name at a time.
 */
@Injectable()
export class MaintenanceScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaintenanceScheduler.name);
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'licenseScanIntervalMinutes'>,
  ) {}

  onApplicationBootstrap(): void {
    this.every(3600_000, MaintenanceJob.Prune, 'could not queue the prune job');
    this.every(
      this.config.licenseScanIntervalMinutes * 60_000,
      MaintenanceJob.LicenseNotices,
      'could not queue the license expiry scan',
    );
  }

  onApplicationShutdown(): void {
    for (const t of this.timers) clearInterval(t);
  }

  private every(ms: number, name: MaintenanceJob, failure: string): void {
    const timer = setInterval(() => {
      this.queue
        .enqueue({ queue: QueueName.Maintenance, name, data: {} })
        .catch((err: Error) => this.logger.warn({ reason: err.message }, failure));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
