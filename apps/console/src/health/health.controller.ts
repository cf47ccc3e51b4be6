import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { BullMqJobQueue, JobQueue } from '@lmp/notifications';

/** Liveness: the process answers. Readiness: the database answers, and Redis when configured. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    const checks: HealthIndicatorFunction[] = [() => this.db.pingCheck('database', { timeout: 2000 })];
    if (this.config.redisUrl) checks.push(() => this.redis());
    return this.health.check(checks);
  }

  private async redis() {
    const indicator = this.indicators.check('redis');
    try {
      if (!(this.queue instanceof BullMqJobQueue)) throw new Error('no redis queue');
      await this.queue.connection.ping();
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
