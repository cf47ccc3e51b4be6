import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackgroundTasks, Clock } from '@lmp/common';
import { AppConfig, loadConfig } from '@lmp/config';
import { InlineJobQueue, JobQueue } from '@lmp/notifications';
import { ConsoleModule } from '../../apps/console/src/console.module';
import { configureApp } from '../../apps/console/src/http/configure-app';

/** A clock the test moves by hand. */
export class TestClock extends Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface RunningConsole {
  app: INestApplication;
  config: AppConfig;
  clock: TestClock;
  dataDir: string;
  /** Waits until in-process mail is delivered (embedded mode only). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * Run on this existing data directory (a restart on the same SQLite file and mail folder).
   * The caller owns it: close() leaves it in place.
   */
  dataDir?: string;
}

/**
 * The console as it is deployed (same module, same configureApp), on its own temporary data
 * directory (or on `options.dataDir`). Embedded mode unless env names a database and Redis.
 */
export async function startConsole(
  env: Record<string, string | undefined> = {},
  options: StartOptions = {},
): Promise<RunningConsole> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lmp-test-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://console.test',
    DEMO_ON_FIRST_START: 'false',
    MAIL_ATTEMPTS: '3',
    DATA_DIR: dataDir,
    ...env,
  });
  const clock = new TestClock();
  const moduleRef = await Test.createTestingModule({ imports: [ConsoleModule.forRoot(config)] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  await app.init();
  const queue = app.get(JobQueue);
  return {
    app,
    config,
    clock,
    dataDir,
    settle: async () => {
      // Work done after a response first (it may queue mail), then in-process delivery.
      await app.get(BackgroundTasks).drain();
      if (queue instanceof InlineJobQueue) await queue.drain();
    },
    close: async () => {
      await app.close();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
