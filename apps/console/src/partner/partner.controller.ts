import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { parseSort } from '@lmp/common';
import {
  PartnerActor,
  PartnerCustomersService,
  PartnerAccountsService,
  PartnerAccountRecoveryService,
  PartnerLicensesService,
  PartnerSettingsService,
} from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../http/guards';
import { IdPipe } from '../http/id.pipe';
import { RequireScope } from '../http/scopes';
import {
  AccountListQuery,
  AuditQuery,
  CreateAccountDto,
  CreateCustomerDto,
  CreateLicenseDto,
  CustomerListQuery,
  UpdateAccountDto,
  UpdateCustomerDto,
  PartnerSettingsDto,
  UpdateLicenseDto,
} from './dto';
import { CUSTOMER_SORT } from './customers/customer-sort';
import { Actor } from './partner-actor';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { AccountResponse } from '../http/responses';
import {
  AccountDetailResponse,
  AccountPage,
  AuditPage,
  CustomerPage,
  CustomerResponse,
  LicenseList,
  LicenseResponse,
  PartnerSettingsResponse,
  ResetQueuedResponse,
  ResetRequestResponse,
} from './responses';

/**
 * The partner console API. Each handler maps HTTP to one service call scoped by the actor's
 * partner. Each names the scope an API token needs for it; the settings (the staff 2FA policy)
 * name none, so no token reaches them.
 */
@Controller('api/v1/partner')
@ApiTags('partner')
@ApiCookieAuth('session')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
export class PartnerController {
  constructor(
    private readonly customers: PartnerCustomersService,
    private readonly accounts: PartnerAccountsService,
    private readonly recovery: PartnerAccountRecoveryService,
    private readonly licenses: PartnerLicensesService,
    private readonly settings: PartnerSettingsService,
  ) {}

  @Get('settings')
  getSettings(@Actor() actor: PartnerActor): Promise<PartnerSettingsResponse> {
    return this.settings.getSettings(actor);
  }

  @Patch('settings')
  @Roles('partner_admin')
  updateSettings(@Actor() actor: PartnerActor, @Body() dto: PartnerSettingsDto): Promise<PartnerSettingsResponse> {
    return this.settings.updateSettings(actor, dto);
  }

  @Get('customers')
  @RequireScope('customers:read')
  listCustomers(@Actor() actor: PartnerActor, @Query() q: CustomerListQuery): Promise<CustomerPage> {
    const sort = parseSort(q.sort, CUSTOMER_SORT, { field: 'company_name', direction: 'ASC' });
    return this.customers.listCustomers(actor, { page: q.page, pageSize: q.pageSize, q: q.q, sort });
  }

  @Post('customers')
  @RequireScope('customers:write')
  @Roles('partner_admin')
  createCustomer(@Actor() actor: PartnerActor, @Body() dto: CreateCustomerDto): Promise<CustomerResponse> {
    return this.customers.createCustomer(actor, dto);
  }

  @Get('customers/:customerId')
  @RequireScope('customers:read')
  getCustomer(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ): Promise<CustomerResponse> {
    return this.customers.getCustomer(actor, customerId);
  }

  @Patch('customers/:customerId')
  @RequireScope('customers:write')
  @Roles('partner_admin')
  updateCustomer(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Body() dto: UpdateCustomerDto,
  ): Promise<CustomerResponse> {
    return this.customers.updateCustomer(actor, customerId, dto);
  }

  @Get('customers/:customerId/accounts')
  @RequireScope('accounts:read')
  listAccounts(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Query() q: AccountListQuery,
  ): Promise<AccountPage> {
    return this.accounts.listAccounts(actor, customerId, q);
  }

  @Post('customers/:customerId/accounts')
  @RequireScope('accounts:write', 'customers:write')
  @Roles('partner_admin')
  createAccount(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Body() dto: CreateAccountDto,
  ): Promise<AccountResponse> {
    return this.accounts.createAccount(actor, customerId, dto);
  }

  @Get('customers/:customerId/accounts/:accountId')
  @RequireScope('accounts:read')
  getAccount(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<AccountDetailResponse> {
    return this.accounts.getAccount(actor, customerId, accountId);
  }

  @Patch('customers/:customerId/accounts/:accountId')
  @RequireScope('accounts:write')
  @Roles('partner_admin')
  updateAccount(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
    @Body() dto: UpdateAccountDto,
  ): Promise<AccountDetailResponse> {
    return this.accounts.updateAccount(actor, customerId, accountId, dto);
  }

  @Post('customers/:customerId/accounts/:accountId/password-reset')
  @RequireScope('accounts:reset')
  @HttpCode(202)
  triggerReset(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<ResetQueuedResponse> {
    return this.recovery.triggerPasswordReset(actor, customerId, accountId);
  }

  /** Gives a customer's user Full Access (a company whose only admin left); audited and mailed. */
  @Post('customers/:customerId/accounts/:accountId/promote')
  @RequireScope('accounts:write')
  @Roles('partner_admin')
  @HttpCode(200)
  promoteAccount(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<AccountDetailResponse> {
    return this.recovery.promoteAccount(actor, customerId, accountId);
  }

  /** Turns 2FA off for an account whose owner lost every factor; audited and mailed. */
  @Post('customers/:customerId/accounts/:accountId/mfa/reset')
  @RequireScope('accounts:write')
  @Roles('partner_admin')
  @HttpCode(200)
  resetAccountMfa(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<AccountDetailResponse> {
    return this.recovery.resetAccountMfa(actor, customerId, accountId);
  }

  @Get('password-resets/:requestId')
  @RequireScope('accounts:reset')
  getResetRequest(
    @Actor() actor: PartnerActor,
    @Param('requestId', IdPipe) requestId: string,
  ): Promise<ResetRequestResponse> {
    return this.recovery.getResetRequest(actor, requestId);
  }

  @Get('customers/:customerId/licenses')
  @RequireScope('licenses:read')
  listLicenses(@Actor() actor: PartnerActor, @Param('customerId', IdPipe) customerId: string): Promise<LicenseList> {
    return this.licenses.listLicenses(actor, customerId);
  }

  @Post('customers/:customerId/licenses')
  @RequireScope('licenses:write')
  @Roles('partner_admin')
  createLicense(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Body() dto: CreateLicenseDto,
  ): Promise<LicenseResponse> {
    return this.licenses.createLicense(actor, customerId, dto);
  }

  @Get('customers/:customerId/licenses/:licenseId')
  @RequireScope('licenses:read')
  getLicense(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
  ): Promise<LicenseResponse> {
    return this.licenses.getLicense(actor, customerId, licenseId);
  }

  @Patch('customers/:customerId/licenses/:licenseId')
  @RequireScope('licenses:write')
  @Roles('partner_admin')
  updateLicense(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
    @Body() dto: UpdateLicenseDto,
  ): Promise<LicenseResponse> {
    return this.licenses.updateLicense(actor, customerId, licenseId, dto);
  }

  @Get('audit')
  @RequireScope('audit:read')
  listAudit(@Actor() actor: PartnerActor, @Query() q: AuditQuery): Promise<AuditPage> {
    return this.settings.listAudit(actor, { customerId: q.customerId, action: q.action }, q);
  }
}
