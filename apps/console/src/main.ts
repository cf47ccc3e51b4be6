// First: the thread pool's size and V8's heap growth, before anything can use them.
import '@lmp/common/process-tuning';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '@lmp/config';
import { ConsoleModule } from './console.module';
import { DemoBootstrap } from './demo-bootstrap';
import { configureApp } from './http/configure-app';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lmp console: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await NestFactory.create<NestExpressApplication>(ConsoleModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureApp(app, config);
  await app.listen(config.port);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const logger = app.get(Logger);
  logger.log(
    {
      url: config.publicUrl,
      database: config.database.type,
      jobs: config.redisUrl ? 'redis' : 'in-process',
      mail: config.smtpUrl ? 'smtp' : 'files',
      port,
    },
    `LMP console listening on port ${port}`,
    'Bootstrap',
  );
  const demo = app.get(DemoBootstrap).signIn;
  if (demo) {
    // Shown to the person who ran `npm start`, on stdout rather than in the structured log.
    process.stdout.write(
      `\n  LMP is running at ${config.publicUrl}\n  Sign in at ${demo.url}\n    email:    ${demo.email}\n    password: ${demo.password}\n  Emails are written to ${config.dataDir}/outbox/\n\n`,
    );
  }
}

void bootstrap();
