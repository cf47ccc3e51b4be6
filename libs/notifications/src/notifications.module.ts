import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { BullMqJobQueue } from './bullmq-job-queue';
import { InlineJobQueue } from './inline-job-queue';
import { JobQueue } from './job-queue';
import { MailWorkerHost } from './mail-worker';
import { FileMailTransport, MailTransport, SmtpMailTransport } from './mail-transport';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxProcessor } from './outbox.processor';
import { OutboxRepository } from './outbox.repository';
import { OutboxWriter } from './outbox.writer';
import { TemplateRenderer } from './template-renderer';

export interface NotificationsOptions {
  /** Run the BullMQ workers in this process (the worker app). */
  worker: boolean;
}

/** Closes the queue connection and the SMTP pool when the app shuts down. */
class NotificationsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(MailTransport) private readonly transport: MailTransport,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    await this.transport.close();
  }
}

@Global()
@Module({})
export class NotificationsModule {
  static forRoot(config: AppConfig, options: NotificationsOptions): DynamicModule {
    const transport: Provider = {
      provide: MailTransport,
      useFactory: () =>
        config.smtpUrl ? new SmtpMailTransport(config.smtpUrl) : new FileMailTransport(join(config.dataDir, 'outbox')),
    };
    const queue: Provider = config.redisUrl
      ? {
          provide: JobQueue,
          useFactory: async () => {
            const q = new BullMqJobQueue(config.redisUrl!, config.queuePrefix, config.mailAttempts);
            await q.ready();
            return q;
          },
        }
      : {
          provide: JobQueue,
          useFactory: (processor: OutboxProcessor) => new InlineJobQueue(processor, config.mailAttempts),
          inject: [OutboxProcessor],
        };
    if (options.worker && !config.redisUrl) throw new Error('REDIS_URL is required to run queue workers');
    return {
      module: NotificationsModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        transport,
        queue,
        TemplateRenderer,
        OutboxRepository,
        OutboxProcessor,
        OutboxDispatcher,
        OutboxWriter,
        NotificationsLifecycle,
        ...(options.worker ? [MailWorkerHost] : []),
      ],
      exports: [
        OutboxWriter,
        OutboxRepository,
        OutboxDispatcher,
        OutboxProcessor,
        JobQueue,
        TemplateRenderer,
        MailTransport,
      ],
    };
  }
}
