import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
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
import { AccountLinksController } from './self-service/account-links.controller';
import { MeController } from './account/me.controller';
import { MfaController } from './account/two-factor/mfa.controller';
import { LocalStrategy } from './auth/local.strategy';
import { DemoBootstrap } from './demo-bootstrap';
import { HealthController } from './health/health.controller';
import { ApiTokensController } from './partner/api-tokens/api-tokens.controller';
import { ApiTokenPagesController } from './partner/api-tokens/api-token-pages.controller';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsController } from './metrics/metrics.controller';
import { CsrfGuard, CsrfService } from './http/csrf';
import { JsonOnlyMiddleware } from './http/json-only.middleware';
import { SessionMiddleware } from './http/session.middleware';
import { PageRenderer } from './web/page-renderer';
import { AccountLinksPagesController } from './self-service/account-links-pages.controller';
import { AccountPagesController } from './account/account-pages.controller';
import { EmailChangePagesController } from './account/email-change-pages.controller';
import { MfaAccountPagesController } from './account/two-factor/mfa-account-pages.controller';
import { MfaPagesController } from './account/two-factor/mfa-pages.controller';
import { PageInterceptor } from './web/page-interceptor';
import { PageShell } from './web/page-shell';
import { PageErrorFilter } from './web/page-error.filter';
import { HomePagesController } from './auth/home-pages.controller';
import { SignInPagesController } from './auth/sign-in-pages.controller';
import { CompanyPagesController } from './company/company-pages.controller';
import { PasswordLinkPagesController } from './self-service/password-link-pages.controller';
import { PartnerAccountPagesController } from './partner/accounts/account-pages.controller';
import { AuditPagesController } from './partner/audit/audit-pages.controller';
import { CustomerPagesController } from './partner/customers/customer-pages.controller';
import { LicensePagesController } from './partner/licenses/license-pages.controller';
import { PartnerSettingsPagesController } from './partner/settings/settings-pages.controller';
import { ConsolePageFilter } from './web/page-filter';
import { SelfServicePagesController } from './self-service/self-service-pages.controller';
import { PartnerController } from './partner/partner.controller';
import { WebhooksController } from './partner/webhooks/webhooks.controller';
import { WebhookPagesController } from './partner/webhooks/webhook-pages.controller';
import { PartnerLicensesApiController } from './partner/licenses/licenses-api.controller';
import { PartnerLicensesPagesController } from './partner/licenses/licenses-pages.controller';
import { RenewLicensePagesController } from './partner/licenses/renew-pages.controller';
import { CompanyLicensesPagesController } from './company/company-licenses-pages.controller';
import { PartnerExportsController } from './partner/exports/partner-exports.controller';

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
        DatabaseModule.forRoot(config, { readReplicas: true }),
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
        ApiTokensController,
        ApiTokenPagesController,
        WebhooksController,
        PartnerLicensesApiController,
        PartnerLicensesPagesController,
        RenewLicensePagesController,
        CompanyLicensesPagesController,
        PartnerExportsController,
        MeController,
        MfaController,
        CompanyController,
        AccountLinksController,
        HomePagesController,
        SignInPagesController,
        PasswordLinkPagesController,
        SelfServicePagesController,
        AccountLinksPagesController,
        CustomerPagesController,
        PartnerAccountPagesController,
        LicensePagesController,
        AuditPagesController,
        PartnerSettingsPagesController,
        WebhookPagesController,
        AccountPagesController,
        EmailChangePagesController,
        CompanyPagesController,
        MfaPagesController,
        MfaAccountPagesController,
        HealthController,
        MetricsController,
      ],
      providers: [
        LocalStrategy,
        PageRenderer,
        PageErrorFilter,
        ConsolePageFilter,
        PageShell,
        { provide: APP_INTERCEPTOR, useClass: PageInterceptor },
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
