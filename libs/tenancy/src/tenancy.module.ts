import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { CustomerRepository } from './customer.repository';
import { LicenseRepository } from './license.repository';
import { PartnerConsoleService } from './partner-console.service';
import { ProvisioningService } from './provisioning.service';
import { ResetRequestRepository } from './reset-request.repository';

@Module({
  providers: [
    AccountRepository,
    CustomerRepository,
    LicenseRepository,
    ResetRequestRepository,
    PartnerConsoleService,
    ProvisioningService,
  ],
  exports: [PartnerConsoleService, ProvisioningService],
})
export class TenancyModule {}
