import { Controller, Get, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { NotFoundProblem } from '@lmp/common';
import { CUSTOMER_ROLES } from '@lmp/database';
import { CompanyActor, CompanyUsersService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../http/guards';
import { IdPipe } from '../http/id.pipe';
import { AppRequest } from '../http/request-context';
import { ACCOUNT_FORM } from '../partner/form-specs';
import { invitedEmail, queryText, ROLE_LABELS, urlWith } from '../web/format';
import { attempt, conflictMessage, errorList, FieldErrors, options, parseForm } from '../web/forms';
import { ConsolePageFilter } from '../web/page-filter';
import { page, PageResult, redirect } from '../web/page-result';
import { Company } from './company-actor';
import { AddCompanyUserDto, ChangeRoleDto } from './dto';
import { companyUserPath, companyUserRow } from './presenters';

type QueryParams = Record<string, unknown>;

/** Confirmations after a form post (POST-redirect-GET): fixed texts, chosen by `?done=`. */
const DONE: Record<string, string> = {
  'role-changed': 'Role changed.',
  'user-removed': 'User removed.',
};

const ROLE_FORM = { fields: { role: 'Choose Full Access or Read Only.' } };

/**
 * The Users page of a customer company: everyone sees the list; Full Access users add users,
 * change roles and remove users, through the service the JSON API calls.
 */
@Controller('company/users')
@UseGuards(SignedInGuard)
@UseFilters(ConsolePageFilter)
export class CompanyPagesController {
  constructor(private readonly companyUsers: CompanyUsersService) {}

  @Get()
  @Roles('full_access', 'read_only')
  users(@Company() actor: CompanyActor, @Query() query: QueryParams): Promise<PageResult> {
    const invited = invitedEmail(query.invited);
    const notice = invited
      ? `User added. An invitation to set a password was emailed to ${invited}.`
      : DONE[queryText(query.done, 40)];
    return this.usersPage(actor, { role: 'read_only' }, {}, { notice });
  }

  @Post()
  @Roles('full_access')
  async addUser(@Req() req: AppRequest, @Company() actor: CompanyActor): Promise<PageResult> {
    const form = parseForm(AddCompanyUserDto, req.body, ACCOUNT_FORM);
    if (!form.ok) return this.usersPage(actor, form.values, form.errors, {}, 400);
    const created = await attempt(ACCOUNT_FORM, () => this.companyUsers.add(actor, form.value));
    if ('errors' in created) return this.usersPage(actor, form.values, created.errors, {}, 409);
    // The same answer whether or not the address had an account in another tenant.
    return redirect(urlWith('/company/users', { invited: created.value.email }));
  }

  @Post(':userId/role')
  @Roles('full_access')
  async changeRole(
    @Req() req: AppRequest,
    @Company() actor: CompanyActor,
    @Param('userId', IdPipe) userId: string,
  ): Promise<PageResult> {
    const form = parseForm(ChangeRoleDto, req.body, ROLE_FORM);
    if (!form.ok) return this.usersPage(actor, { role: 'read_only' }, {}, { error: form.errors.role }, 400);
    try {
      await this.companyUsers.changeRole(actor, userId, form.value.role);
    } catch (err) {
      const error = conflictMessage(err);
      if (!error) throw err;
      return this.usersPage(actor, { role: 'read_only' }, {}, { error }, 409);
    }
    return redirect(urlWith('/company/users', { done: 'role-changed' }));
  }

  /** The confirmation step before a removal: what will happen, with Remove (a form) and Cancel. */
  @Get(':userId/remove')
  @Roles('full_access')
  async confirmRemove(@Company() actor: CompanyActor, @Param('userId', IdPipe) userId: string): Promise<PageResult> {
    const { items } = await this.companyUsers.list(actor);
    const user = items.find((u) => u.id === userId);
    if (!user) throw new NotFoundProblem('user');
    const row = companyUserRow(user, actor.userId);
    return page(
      'company/remove-confirm',
      {
        title: `Remove ${row.name}`,
        user: row,
        action: `${companyUserPath(userId)}/remove`,
        cancelHref: '/company/users',
      },
      { shell: 'users' },
    );
  }

  @Post(':userId/remove')
  @Roles('full_access')
  async remove(@Company() actor: CompanyActor, @Param('userId', IdPipe) userId: string): Promise<PageResult> {
    try {
      await this.companyUsers.remove(actor, userId);
    } catch (err) {
      const error = conflictMessage(err);
      if (!error) throw err;
      return this.usersPage(actor, { role: 'read_only' }, {}, { error }, 409);
    }
    // Removing oneself ends this session too; the next page is then the sign-in page.
    return redirect(urlWith('/company/users', { done: 'user-removed' }));
  }

  private async usersPage(
    actor: CompanyActor,
    values: Record<string, string>,
    errors: FieldErrors,
    messages: { notice?: string; error?: string },
    status = 200,
  ): Promise<PageResult> {
    const list = await this.companyUsers.list(actor);
    return page(
      'company/users',
      {
        title: 'Users',
        ...messages,
        canManage: actor.role === 'full_access',
        users: list.items.map((u) => companyUserRow(u, actor.userId)),
        values,
        errors,
        errorList: errorList(errors),
        roles: options(CUSTOMER_ROLES, values.role, ROLE_LABELS),
      },
      { shell: 'users', status },
    );
  }
}
