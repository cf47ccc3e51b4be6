import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@lmp/audit';
import { CommonModule, loggerModule } from '@lmp/common';
import { AppConfig, AppConfigModule } from '@lmp/config';
import { DatabaseModule } from '@lmp/database';
import { NotificationsModule } from '@lmp/notifications';

/** The queue worker: no HTTP server, only BullMQ workers over the shared libraries. */
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
        NotificationsModule.forRoot(config, { worker: true }),
      ],
    };
  }
}
