import {
  BeforeApplicationShutdown,
  DynamicModule,
  Global,
  Inject,
  Module,
  OnApplicationShutdown,
  Provider,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { join } from 'node:path';
import { AppConfig } from '@lmp/config';
import { BullMqJobQueue } from './bullmq-job-queue';
import { DeliveryMetrics } from './delivery-metrics';
import { InlineJobQueue } from './inline-job-queue';
import { jobHandlers } from './job-handlers';
import { LicenseNoticeRepository } from './license-notice.repository';
import { LicenseNoticesService } from './license-notices.service';
import { JobQueue } from './job-queue';
import { MaintenanceScheduler } from './maintenance-scheduler';
import { MaintenanceService } from './maintenance.service';
import { FileMailTransport, MailTransport, SmtpMailTransport } from './mail-transport';
import { OutboxRelay } from './outbox-relay';
import { OutboxSettlement } from './outbox-settlement';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxProcessor } from './outbox.processor';
import { OutboxRepository } from './outbox.repository';
import { PartnerEvents } from './partner-events';
import { OutboxWriter } from './outbox.writer';
import { QueueAdminService } from './queue-admin.service';
import { QueueWorkers } from './queue-workers';
import { FileSmsTransport, HttpSmsTransport, SmsTransport } from './sms-transport';
import { TemplateRenderer } from './template-renderer';
import { WebhookDelivery } from './webhooks/webhook-delivery';
import { WebhookStore } from './webhooks/webhook-store';

export type NotificationsRole = 'console' | 'worker' | 'cli';

/**
 * Shutdown order: the queue first (in-process jobs finish while the database is still open),
 * the SMTP pool last, once every job that could use it is done.
 */
class NotificationsLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(MailTransport) private readonly transport: MailTransport,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}

/**
 * Delivery, wired for one role. The console only queues (and, without Redis, also delivers
 * in-process, relays and prunes); the worker runs the BullMQ workers and the relay; the CLI
 * only queues.
 */
@Global()
@Module({})
export class NotificationsModule {
  static forRoot(config: AppConfig, role: NotificationsRole): DynamicModule {
    if (role === 'worker' && !config.redis) throw new Error('REDIS_URL is required to run queue workers');
    const embedded = !config.redis;
    const outboxDir = join(config.dataDir, 'outbox');
    const providers: Provider[] = [
      {
        provide: MailTransport,
        useFactory: () => (config.smtpUrl ? new SmtpMailTransport(config.smtpUrl) : new FileMailTransport(outboxDir)),
      },
      {
        provide: SmsTransport,
        useFactory: () =>
          config.smsGatewayUrl
            ? new HttpSmsTransport(config.smsGatewayUrl, config.smsGatewayToken)
            : new FileSmsTransport(outboxDir),
      },
      embedded
        ? {
            provide: JobQueue,
            // The scan writes mail through the outbox, whose dispatcher needs this queue: it is
            // looked up when a scan runs, not when the queue is built.
            useFactory: (processor: OutboxProcessor, maintenance: MaintenanceService, refs: ModuleRef) =>
              new InlineJobQueue(
                jobHandlers(processor, maintenance, { scan: () => refs.get(LicenseNoticesService).scan() }),
                config.mailAttempts,
                config.retryBaseMs,
                config.webhookRetryScheduleMs.length + 1,
              ),
            inject: [OutboxProcessor, MaintenanceService, ModuleRef],
          }
        : {
            provide: JobQueue,
            useFactory: async () => {
              const q = new BullMqJobQueue(
                config.redis!,
                config.queuePrefix,
                config.mailAttempts,
                config.retryBaseMs,
                config.webhookRetryScheduleMs.length + 1,
              );
              await q.ready();
              return q;
            },
          },
      TemplateRenderer,
      DeliveryMetrics,
      OutboxRepository,
      OutboxProcessor,
      OutboxSettlement,
      WebhookStore,
      WebhookDelivery,
      OutboxDispatcher,
      OutboxWriter,
      PartnerEvents,
      MaintenanceService,
      LicenseNoticeRepository,
      LicenseNoticesService,
      QueueAdminService,
      NotificationsLifecycle,
    ];
    if (role === 'worker') providers.push(QueueWorkers, OutboxRelay);
    if (role === 'console' && embedded) providers.push(OutboxRelay, MaintenanceScheduler);
    return {
      module: NotificationsModule,
      providers,
      exports: [
        OutboxWriter,
        PartnerEvents,
        OutboxRepository,
        OutboxDispatcher,
        OutboxProcessor,
        JobQueue,
        TemplateRenderer,
        MailTransport,
        SmsTransport,
        MaintenanceService,
        LicenseNoticesService,
        QueueAdminService,
        ...(role === 'worker' ? [QueueWorkers] : []),
      ],
    };
  }
}
