import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { MetricsRegistry, scrapeAllowed } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { QueueWorkers } from '@lmp/notifications';

/**
 * The worker's probe for orchestrators, on WORKER_HEALTH_PORT (off when 0):
 * GET /health/live is 200 while the worker has Redis (or lost it less than a minute ago) and
 * 503 once it has lost Redis for good; GET /metrics is the worker's Prometheus text, for the
 * bearer of METRICS_TOKEN when it is set (always in production), as on the console.
 */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHealthServer.name);
  private server?: Server;

  constructor(
    private readonly workers: QueueWorkers,
    private readonly metrics: MetricsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Each worker's figures are its own: the label tells the processes apart.
    metrics.registry.setDefaultLabels({ process: config.processName });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.workerHealthPort) return;
    this.server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/health/live') {
        const ok = this.workers.healthy();
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'error', redis: this.workers.redisStatus }));
        return;
      }
      if (req.method === 'GET' && req.url === '/metrics') {
        if (!scrapeAllowed(req.headers.authorization, this.config.metricsToken)) {
          res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
          res.end('{"status":401}');
          return;
        }
        this.metrics.registry
          .metrics()
          .then((text) => {
            res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
            res.end(text);
          })
          .catch(() => {
            res.writeHead(500);
            res.end();
          });
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"status":404}');
    });
    await new Promise<void>((resolve) => this.server!.listen(this.config.workerHealthPort, resolve));
    this.logger.log({ port: (this.server.address() as AddressInfo).port }, 'worker health endpoint listening');
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
