import { AccountInviter } from './account-inviter';
import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { ApiTokenRepository } from './api-token.repository';
import { PartnerApiTokensService } from './partner-api-tokens.service';
import { BulkSeeder } from './bulk-seeder';
import { CompanyUserRepository } from './company-user.repository';
import { CompanyUsersService } from './company-users.service';
import { CustomerRepository } from './customer.repository';
import { LicenseRepository } from './license.repository';
import { ListPositionsCache } from './list-positions.cache';
import { PartnerAccountRecoveryService } from './partner-account-recovery.service';
import { PartnerAccountsService } from './partner-accounts.service';
import { PartnerAudit } from './partner-audit';
import { PartnerCustomersService } from './partner-customers.service';
import { PartnerLicensesService } from './partner-licenses.service';
import { LicenseOverviewService } from './license-overview.service';
import { PartnerSettingsService } from './partner-settings.service';
import { PartnerRepository } from './partner.repository';
import { ProvisioningService } from './provisioning.service';
import { ResetRequestRepository } from './reset-request.repository';
import { SignupService } from './signup.service';
import { PartnerWebhooksService } from './partner-webhooks.service';
import { WebhookRepository } from './webhook.repository';

@Module({
  providers: [
    AccountInviter,
    AccountRepository,
    ApiTokenRepository,
    PartnerApiTokensService,
    BulkSeeder,
    CompanyUserRepository,
    CompanyUsersService,
    CustomerRepository,
    LicenseRepository,
    ListPositionsCache,
    PartnerRepository,
    ResetRequestRepository,
    PartnerAccountRecoveryService,
    PartnerAccountsService,
    PartnerAudit,
    PartnerCustomersService,
    PartnerLicensesService,
    LicenseOverviewService,
    PartnerSettingsService,
    ProvisioningService,
    SignupService,
    PartnerWebhooksService,
    WebhookRepository,
  ],
  exports: [
    PartnerApiTokensService,
    CompanyUsersService,
    PartnerAccountRecoveryService,
    PartnerAccountsService,
    PartnerCustomersService,
    PartnerLicensesService,
    LicenseOverviewService,
    PartnerSettingsService,
    ProvisioningService,
    BulkSeeder,
    SignupService,
    PartnerWebhooksService,
  ],
})
export class TenancyModule {}
