import { Controller, Get, Headers, Inject, Res, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { MetricsRegistry } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';

/** Prometheus text. With METRICS_TOKEN set, the scraper must send it as a bearer token. */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (this.config.metricsToken) {
      const expected = Buffer.from(`Bearer ${this.config.metricsToken}`);
      const given = Buffer.from(authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedException();
    }
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
