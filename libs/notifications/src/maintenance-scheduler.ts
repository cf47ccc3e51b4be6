import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MaintenanceService } from './maintenance.service';

/** The embedded mode's stand-in for the worker's hourly BullMQ prune job. */
@Injectable()
export class MaintenanceScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaintenanceScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly maintenance: MaintenanceService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.maintenance.prune().catch((err: Error) => this.logger.warn({ reason: err.message }, 'prune failed'));
    }, 3600_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
