import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { parseSort } from '@lmp/common';
import { PartnerActor, PartnerConsoleService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../http/guards';
import { IdPipe } from '../http/id.pipe';
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

/** The partner console API. Each handler maps HTTP to one service call scoped by the actor's partner. */
@Controller('api/v1/partner')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
export class PartnerController {
  constructor(private readonly console: PartnerConsoleService) {}

  @Get('settings')
  getSettings(@Actor() actor: PartnerActor) {
    return this.console.getSettings(actor);
  }

  @Patch('settings')
  @Roles('partner_admin')
  updateSettings(@Actor() actor: PartnerActor, @Body() dto: PartnerSettingsDto) {
    return this.console.updateSettings(actor, dto);
  }

  @Get('customers')
  listCustomers(@Actor() actor: PartnerActor, @Query() q: CustomerListQuery) {
    const sort = parseSort(q.sort, CUSTOMER_SORT, { field: 'company_name', direction: 'ASC' });
    return this.console.listCustomers(actor, { page: q.page, pageSize: q.pageSize, q: q.q, sort });
  }

  @Post('customers')
  @Roles('partner_admin')
  createCustomer(@Actor() actor: PartnerActor, @Body() dto: CreateCustomerDto) {
    return this.console.createCustomer(actor, dto);
  }

  @Get('customers/:customerId')
  getCustomer(@Actor() actor: PartnerActor, @Param('customerId', IdPipe) customerId: string) {
    return this.console.getCustomer(actor, customerId);
  }

  @Patch('customers/:customerId')
  @Roles('partner_admin')
  updateCustomer(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Body() dto: UpdateCustomerDto,
  ) {
    return this.console.updateCustomer(actor, customerId, dto);
  }

  @Get('customers/:customerId/accounts')
  listAccounts(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Query() q: AccountListQuery,
  ) {
    return this.console.listAccounts(actor, customerId, q);
  }

  @Post('customers/:customerId/accounts')
  @Roles('partner_admin')
  createAccount(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Body() dto: CreateAccountDto,
  ) {
    return this.console.createAccount(actor, customerId, dto);
  }

  @Get('customers/:customerId/accounts/:accountId')
  getAccount(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    return this.console.getAccount(actor, customerId, accountId);
  }

  @Patch('customers/:customerId/accounts/:accountId')
  @Roles('partner_admin')
  updateAccount(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
    @Body() dto: UpdateAccountDto,
  ) {
    return this.console.updateAccount(actor, customerId, accountId, dto);
  }

  @Post('customers/:customerId/accounts/:accountId/password-reset')
  @HttpCode(202)
  triggerReset(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    return this.console.triggerPasswordReset(actor, customerId, accountId);
  }

  /** Gives a customer's user Full Access (a company whose only admin left); audited and mailed. */
  @Post('customers/:customerId/accounts/:accountId/promote')
  @Roles('partner_admin')
  @HttpCode(200)
  promoteAccount(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    return this.console.promoteAccount(actor, customerId, accountId);
  }

  /** Turns 2FA off for an account whose owner lost every factor; audited and mailed. */
  @Post('customers/:customerId/accounts/:accountId/mfa/reset')
  @Roles('partner_admin')
  @HttpCode(200)
  resetAccountMfa(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    return this.console.resetAccountMfa(actor, customerId, accountId);
  }

  @Get('password-resets/:requestId')
  getResetRequest(@Actor() actor: PartnerActor, @Param('requestId', IdPipe) requestId: string) {
    return this.console.getResetRequest(actor, requestId);
  }

  @Get('customers/:customerId/licenses')
  listLicenses(@Actor() actor: PartnerActor, @Param('customerId', IdPipe) customerId: string) {
    return this.console.listLicenses(actor, customerId);
  }

  @Post('customers/:customerId/licenses')
  @Roles('partner_admin')
  createLicense(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Body() dto: CreateLicenseDto,
  ) {
    return this.console.createLicense(actor, customerId, dto);
  }

  @Get('customers/:customerId/licenses/:licenseId')
  getLicense(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
  ) {
    return this.console.getLicense(actor, customerId, licenseId);
  }

  @Patch('customers/:customerId/licenses/:licenseId')
  @Roles('partner_admin')
  updateLicense(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
    @Body() dto: UpdateLicenseDto,
  ) {
    return this.console.updateLicense(actor, customerId, licenseId, dto);
  }

  @Get('audit')
  listAudit(@Actor() actor: PartnerActor, @Query() q: AuditQuery) {
    return this.console.listAudit(actor, { customerId: q.customerId, action: q.action }, q);
  }
}
