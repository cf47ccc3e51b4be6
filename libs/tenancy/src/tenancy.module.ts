import { AccountInviter } from './account-inviter';
import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { BulkSeeder } from './bulk-seeder';
import { CompanyUserRepository } from './company-user.repository';
import { CompanyUsersService } from './company-users.service';
import { CustomerRepository } from './customer.repository';
import { LicenseRepository } from './license.repository';
import { PartnerConsoleService } from './partner-console.service';
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
    PartnerConsoleService,
    ProvisioningService,
    SignupService,
  ],
  exports: [CompanyUsersService, PartnerConsoleService, ProvisioningService, BulkSeeder, SignupService],
})
export class TenancyModule {}
