import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@lmp/audit';
import { CommonModule, loggerModule } from '@lmp/common';
import { AppConfig, AppConfigModule } from '@lmp/config';
import { DatabaseModule } from '@lmp/database';
import { NotificationsModule } from '@lmp/notifications';
import { WorkerHealthServer } from './health-server';

/** The queue worker: no HTTP app, only BullMQ workers, the outbox relay and a small probe. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        CommonModule,
        loggerModule(config.logLevel, 'worker'),
        DatabaseModule.forRoot(config),
        AuditModule,
        NotificationsModule.forRoot(config, 'worker'),
      ],
      providers: [WorkerHealthServer],
    };
  }
}
