import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuditModule } from '@lmp/audit';
import { CommonModule, loggerModule, tooManyRequests } from '@lmp/common';
import { AppConfig, AppConfigModule } from '@lmp/config';
import { DatabaseModule } from '@lmp/database';
import { IdentityModule, RateLimitStore } from '@lmp/identity';
import { NotificationsModule } from '@lmp/notifications';
import { TenancyModule } from '@lmp/tenancy';
import { AuthController } from './auth/auth.controller';
import { CompanyController } from './company/company.controller';
import { AccountLinksController } from './me/account-links.controller';
import { MeController } from './me/me.controller';
import { MfaController } from './me/mfa.controller';
import { LocalStrategy } from './auth/local.strategy';
import { DemoBootstrap } from './demo-bootstrap';
import { HealthController } from './health/health.controller';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsController } from './metrics/metrics.controller';
import { CsrfGuard, CsrfService } from './http/csrf';
import { JsonOnlyMiddleware } from './http/json-only.middleware';
import { SessionMiddleware } from './http/session.middleware';
import { PageRenderer } from './page-renderer';
import { AccountLinksPagesController } from './pages/account-links-pages.controller';
import { AccountPagesController } from './pages/account-pages.controller';
import { AccountShell } from './pages/account/account-shell';
import { MfaPages } from './pages/account/mfa-pages';
import { MfaPagesController } from './pages/mfa-pages.controller';
import { PageErrorFilter } from './pages/page-error.filter';
import { PagesController } from './pages/pages.controller';
import { PartnerPagesController } from './pages/partner-pages.controller';
import { PartnerSettingsPagesController } from './pages/partner-settings-pages.controller';
import { ConsolePages } from './pages/partner/console-pages';
import { ConsolePageFilter } from './pages/partner/page-filter';
import { SelfServicePagesController } from './pages/self-service-pages.controller';
import { PartnerController } from './partner/partner.controller';

/** The console: HTTP API and pages. Without REDIS_URL it also delivers mail in-process. */
@Module({})
export class ConsoleModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [
        AppConfigModule.forRoot(config),
        CommonModule,
        loggerModule(config.logLevel, 'console'),
        DatabaseModule.forRoot(config),
        AuditModule,
        NotificationsModule.forRoot(config, 'console'),
        IdentityModule,
        TenancyModule,
        PassportModule,
        TerminusModule.forRoot({ logger: false }),
        ThrottlerModule.forRootAsync({
          inject: [RateLimitStore],
          useFactory: (storage: RateLimitStore) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: 120 }],
            storage,
            // The guard also sends Retry-After; the page and the problem say the same in words.
            errorMessage: (_context, limit) => tooManyRequests(limit.timeToBlockExpire),
          }),
        }),
      ],
      controllers: [
        AuthController,
        PartnerController,
        MeController,
        MfaController,
        CompanyController,
        AccountLinksController,
        PagesController,
        SelfServicePagesController,
        AccountLinksPagesController,
        PartnerPagesController,
        PartnerSettingsPagesController,
        AccountPagesController,
        MfaPagesController,
        HealthController,
        MetricsController,
      ],
      providers: [
        LocalStrategy,
        PageRenderer,
        PageErrorFilter,
        ConsolePageFilter,
        ConsolePages,
        AccountShell,
        MfaPages,
        CsrfService,
        { provide: APP_GUARD, useClass: CsrfGuard },
        DemoBootstrap,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware, SessionMiddleware).forRoutes('{*path}');
    consumer.apply(JsonOnlyMiddleware).forRoutes('api/{*path}');
  }
}
