import { Controller, Get, Headers, Inject, StreamableFile, UnauthorizedException } from '@nestjs/common';
import { MetricsRegistry, scrapeAllowed } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';

/**
 * Prometheus text, every series labelled `process` (PROCESS_NAME or hostname:pid). With
 * METRICS_TOKEN set, the scraper must send it as a bearer token.
 */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Each console's figures are its own: the label tells the processes apart behind a load balancer.
    metrics.registry.setDefaultLabels({ process: config.processName });
  }

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined): Promise<StreamableFile> {
    if (!scrapeAllowed(authorization, this.config.metricsToken)) throw new UnauthorizedException();
    const text = await this.metrics.registry.metrics();
    return new StreamableFile(Buffer.from(text), { type: this.metrics.registry.contentType });
  }
}
