import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import {
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

  /** 200 with every check when all are up; 503 with the same body naming what is down. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const checks: HealthIndicatorFunction[] = [() => this.db.pingCheck('database', { timeout: 2000 })];
    if (this.config.redis) checks.push(() => this.redis());
    try {
      return await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse();
    }
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
