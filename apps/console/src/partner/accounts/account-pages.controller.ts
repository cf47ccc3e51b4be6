import { Controller, Get, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { LINK_MAILS_PER_RECIPIENT, TOKEN_TTL_MS } from '@lmp/identity';
import {
  PartnerActor,
  PartnerAccountsService,
  PartnerCustomersService,
  PartnerAccountRecoveryService,
} from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { AppRequest } from '../../http/request-context';
import { queryText, urlWith } from '../../web/format';
import { attempt, FieldErrors, parseForm } from '../../web/forms';
import { ConsolePageFilter } from '../../web/page-filter';
import { page, PageResult, redirect } from '../../web/page-result';
import { CreateAccountDto, UpdateAccountDto } from '../dto';
import { ACCOUNT_EDIT_FORM, ACCOUNT_FORM } from '../form-specs';
import { Actor } from '../partner-actor';
import {
  accountPath,
  accountRow,
  customerPath,
  customerRow,
  DONE,
  fullName,
  QueryParams,
  resetRow,
} from '../presenters';
import { accountForm } from './presenters';

const PASSWORD_LINK_MINUTES = TOKEN_TTL_MS.password_reset / 60_000;

/**
 * A customer's accounts in the partner console: add and edit, an account with its password
 * resets, the reset and "turn off 2FA" notices. partner_support browses and triggers resets;
 * only partner_admin edits.
 */
@Controller('partner/customers/:customerId/accounts')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class PartnerAccountPagesController {
  constructor(
    private readonly partnerAccounts: PartnerAccountsService,
    private readonly partnerCustomers: PartnerCustomersService,
    private readonly partnerRecovery: PartnerAccountRecoveryService,
  ) {}

  @Get('new')
  @Roles('partner_admin')
  newAccount(@Actor() actor: PartnerActor, @Param('customerId', IdPipe) customerId: string) {
    return this.form(actor, customerId, null, { role: 'read_only' }, {});
  }

  @Post()
  @Roles('partner_admin')
  async createAccount(
    @Req() req: AppRequest,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ): Promise<PageResult> {
    const form = parseForm(CreateAccountDto, req.body, ACCOUNT_FORM);
    if (!form.ok) return this.form(actor, customerId, null, form.values, form.errors, 400);
    const created = await attempt(ACCOUNT_FORM, () =>
      this.partnerAccounts.createAccount(actor, customerId, form.value),
    );
    if ('errors' in created) return this.form(actor, customerId, null, form.values, created.errors, 409);
    // Back to the company's accounts, not to the new account's page: an address that has an
    // account in another tenant gets the same answer, and there is no page for it.
    return redirect(urlWith(customerPath(customerId), { invited: created.value.email }));
  }

  @Get(':accountId')
  async account(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
    @Query() query: QueryParams,
  ): Promise<PageResult> {
    const { customer, account, path } = await this.accountNotice(actor, customerId, accountId);
    const requests = account.resetRequests.map(resetRow);
    const reset = requests.find((r) => r.requestId === queryText(query.reset, 36));
    const done = queryText(query.done, 40);
    const banner = reset
      ? {
          kind: 'success',
          text: `Password reset requested. An email with a reset link is on its way to ${account.email}.`,
        }
      : DONE[done]
        ? { kind: 'success', text: DONE[done] }
        : undefined;
    const live = requests.some((r) => r.live);
    return page(
      'partner/accounts/account',
      {
        title: fullName(account),
        banner,
        customer: customerRow(customer),
        account: accountRow(customerId, account),
        requests,
        live,
        refreshSeconds: live ? 3 : undefined,
        scripts: ['/assets/reset-status.js'],
        resetHref: `${path}/reset-password/confirm`,
        expiresInMinutes: PASSWORD_LINK_MINUTES,
        canReset: account.status !== 'disabled',
        editHref: `${path}/edit`,
        mfaOffHref: `${path}/two-factor/turn-off`,
      },
      { shell: 'customers' },
    );
  }

  @Get(':accountId/edit')
  @Roles('partner_admin')
  async editAccount(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<PageResult> {
    const a = await this.partnerAccounts.getAccount(actor, customerId, accountId);
    const values = {
      firstName: a.firstName,
      lastName: a.lastName,
      role: a.role,
      status: a.status === 'disabled' ? 'disabled' : 'active',
    };
    return this.form(actor, customerId, a, values, {});
  }

  @Post(':accountId')
  @Roles('partner_admin')
  async updateAccount(
    @Req() req: AppRequest,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<PageResult> {
    const account = await this.partnerAccounts.getAccount(actor, customerId, accountId);
    const form = parseForm(UpdateAccountDto, req.body, ACCOUNT_EDIT_FORM);
    if (!form.ok) return this.form(actor, customerId, account, form.values, form.errors, 400);
    await this.partnerAccounts.updateAccount(actor, customerId, accountId, form.value);
    return redirect(urlWith(accountPath(customerId, accountId), { done: 'account-saved' }));
  }

  /** The notice before a reset: what will happen, with OK (a form) and Cancel (a link back). */
  @Get(':accountId/reset-password/confirm')
  async confirmReset(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<PageResult> {
    const { customer, account, path } = await this.accountNotice(actor, customerId, accountId);
    return page(
      'partner/accounts/reset-confirm',
      {
        title: `Reset password for ${fullName(account)}`,
        customer: customerRow(customer),
        account: accountRow(customerId, account),
        canReset: account.status !== 'disabled',
        expiresInMinutes: PASSWORD_LINK_MINUTES,
        linkMails: { limit: LINK_MAILS_PER_RECIPIENT.limit, minutes: LINK_MAILS_PER_RECIPIENT.windowMs / 60_000 },
        action: `${path}/reset-password`,
        cancelHref: path,
      },
      { shell: 'customers' },
    );
  }

  @Post(':accountId/reset-password')
  async reset(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<PageResult> {
    const { requestId } = await this.partnerRecovery.triggerPasswordReset(actor, customerId, accountId);
    return redirect(urlWith(accountPath(customerId, accountId), { reset: requestId }));
  }

  /** For an owner who lost every factor: what turning 2FA off does, with OK and Cancel. */
  @Get(':accountId/two-factor/turn-off')
  @Roles('partner_admin')
  async confirmMfaOff(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<PageResult> {
    const { customer, account, path } = await this.accountNotice(actor, customerId, accountId);
    return page(
      'partner/accounts/mfa-off-confirm',
      {
        title: `Turn off two-factor authentication for ${fullName(account)}`,
        customer: customerRow(customer),
        account: accountRow(customerId, account),
        action: `${path}/two-factor/turn-off`,
        cancelHref: path,
      },
      { shell: 'customers' },
    );
  }

  @Post(':accountId/two-factor/turn-off')
  @Roles('partner_admin')
  async mfaOff(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ): Promise<PageResult> {
    await this.partnerRecovery.resetAccountMfa(actor, customerId, accountId);
    return redirect(urlWith(accountPath(customerId, accountId), { done: 'mfa-off' }));
  }

  /** What a page about an account shows: the customer, the account and the account's page. */
  private async accountNotice(actor: PartnerActor, customerId: string, accountId: string) {
    const [customer, account] = await Promise.all([
      this.partnerCustomers.getCustomer(actor, customerId),
      this.partnerAccounts.getAccount(actor, customerId, accountId),
    ]);
    return { customer, account, path: accountPath(customerId, accountId) };
  }

  /** The add / edit account form, under its customer. */
  private async form(
    actor: PartnerActor,
    customerId: string,
    account: { id: string; firstName: string; lastName: string; email: string } | null,
    values: Record<string, string>,
    errors: FieldErrors,
    status = 200,
  ): Promise<PageResult> {
    const customer = await this.partnerCustomers.getCustomer(actor, customerId);
    return accountForm(customer, account, values, errors, status);
  }
}
