import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '@lmp/config';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
    if (!config.redisUrl) throw new ConfigError('REDIS_URL', 'is required to run a worker (redis://host:6379)');
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lmp worker: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // SIGTERM / SIGINT: stop taking jobs, let running ones finish, close connections, exit 0.
  app.enableShutdownHooks();
  app.get(Logger).log({ concurrency: config.workerConcurrency, prefix: config.queuePrefix }, 'LMP worker running', 'Bootstrap');
}

void bootstrap();
