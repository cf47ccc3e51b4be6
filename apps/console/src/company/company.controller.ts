import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { CompanyActor, CompanyUsersService, LicenseOverviewService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../http/guards';
import { IdPipe } from '../http/id.pipe';
import { Company } from './company-actor';
import { AddCompanyUserDto, ChangeRoleDto } from './dto';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { AccountResponse } from '../http/responses';
import { CompanyLicenseList, CompanyUserList } from './responses';

/** A company's users: everyone of the company lists them; changes need full_access. */
@Controller('api/v1/company')
@ApiTags('company')
@ApiCookieAuth('session')
@UseGuards(SignedInGuard)
@Roles('full_access', 'read_only')
export class CompanyController {
  constructor(
    private readonly companyUsers: CompanyUsersService,
    private readonly licenses: LicenseOverviewService,
  ) {}

  /** The company's licenses with their status, and a summary (in use, the next expiry). */
  @Get('licenses')
  listLicenses(@Company() actor: CompanyActor): Promise<CompanyLicenseList> {
    return this.licenses.listForCompany(actor);
  }

  @Get('users')
  list(@Company() actor: CompanyActor): Promise<CompanyUserList> {
    return this.companyUsers.list(actor);
  }

  @Post('users')
  @Roles('full_access')
  add(@Company() actor: CompanyActor, @Body() dto: AddCompanyUserDto): Promise<AccountResponse> {
    return this.companyUsers.add(actor, dto);
  }

  @Patch('users/:userId')
  @Roles('full_access')
  changeRole(
    @Company() actor: CompanyActor,
    @Param('userId', IdPipe) userId: string,
    @Body() dto: ChangeRoleDto,
  ): Promise<AccountResponse> {
    return this.companyUsers.changeRole(actor, userId, dto.role);
  }

  @Delete('users/:userId')
  @Roles('full_access')
  @HttpCode(204)
  async remove(@Company() actor: CompanyActor, @Param('userId', IdPipe) userId: string): Promise<void> {
    await this.companyUsers.remove(actor, userId);
  }
}
