import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@lmp/audit';
import { CommonModule } from '@lmp/common';
import { AppConfig, AppConfigModule } from '@lmp/config';
import { DatabaseModule } from '@lmp/database';
import { IdentityModule } from '@lmp/identity';
import { NotificationsModule } from '@lmp/notifications';
import { TenancyModule } from '@lmp/tenancy';

/** What the `lmp` command needs: the domain without HTTP. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(config),
        CommonModule,
        DatabaseModule.forRoot(config),
        AuditModule,
        NotificationsModule.forRoot(config, 'cli'),
        IdentityModule,
        TenancyModule,
      ],
    };
  }
}
