import { AccountInviter } from './account-inviter';
import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { BulkSeeder } from './bulk-seeder';
import { CompanyUserRepository } from './company-user.repository';
import { CompanyUsersService } from './company-users.service';
import { CustomerRepository } from './customer.repository';
import { LicenseRepository } from './license.repository';
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

@Module({
  providers: [
    AccountInviter,
    AccountRepository,
    BulkSeeder,
    CompanyUserRepository,
    CompanyUsersService,
    CustomerRepository,
    LicenseRepository,
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
  ],
  exports: [
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
  ],
})
export class TenancyModule {}
