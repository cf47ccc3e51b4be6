// First: the thread pool's size and V8's heap growth, before anything can use them.
import '@lmp/common/process-tuning';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { StartupLinesAtDebug } from '@lmp/common';
import { ConfigError, describeRedis, loadConfig } from '@lmp/config';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
    if (!config.redis) {
      throw new ConfigError(
        'REDIS_URL',
        'is required to run a worker (redis://host:6379), or REDIS_CLUSTER_NODES, or REDIS_SENTINELS',
      );
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lmp worker: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(new StartupLinesAtDebug(logger));
  // SIGTERM / SIGINT: stop taking jobs, let running ones finish (bounded by SHUTDOWN_TIMEOUT_MS),
  // close every connection, exit 0. A second signal exits at once.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.log({ signal }, 'stopping: finishing running jobs', 'Bootstrap');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed', 'Bootstrap');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.log(
    {
      concurrency: config.workerConcurrency,
      prefix: config.queuePrefix,
      redis: describeRedis(config.redis),
      process: config.processName,
    },
    'LMP worker running',
    'Bootstrap',
  );
}

void bootstrap();
