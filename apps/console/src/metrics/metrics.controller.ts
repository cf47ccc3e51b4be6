import { Controller, Get, Headers, Inject, Res, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsRegistry, scrapeAllowed } from '@lmp/common';
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
    if (!scrapeAllowed(authorization, this.config.metricsToken)) throw new UnauthorizedException();
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
