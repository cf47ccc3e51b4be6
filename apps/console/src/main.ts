// First: the thread pool's size and V8's heap growth, before anything can use them.
import '@lmp/common/process-tuning';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createServer, type AddressInfo } from 'node:net';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigError, describeRedis, loadConfig } from '@lmp/config';
import { ConsoleModule } from './console.module';
import { DemoBootstrap } from './demo-bootstrap';
import { configureApp } from './http/configure-app';

/** Whether this process could listen on `port`, tried the way the app listens (every address). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

const portInUse = (port: number): never => {
  process.stderr.write(`lmp console: port ${port} is in use: set PORT to another port\n`);
  process.exit(1);
};

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
  // Checked before anything starts (migrations, the demo seed), so the answer is one line.
  if (config.port !== 0 && !(await portIsFree(config.port))) portInUse(config.port);
  const app = await NestFactory.create<NestExpressApplication>(ConsoleModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureApp(app, config);
  try {
    await app.listen(config.port);
  } catch (err) {
    // Taken in the moment since the check.
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') portInUse(config.port);
    throw err;
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const logger = app.get(Logger);
  logger.log(
    {
      url: config.publicUrl,
      database: config.database.type,
      jobs: config.redis ? describeRedis(config.redis) : 'in-process',
      process: config.processName,
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
