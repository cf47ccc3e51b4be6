import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AUDIT_ACTIONS } from '@lmp/audit';
import { parseSort } from '@lmp/common';
import { LINK_MAILS_PER_RECIPIENT, TOKEN_TTL_MS } from '@lmp/identity';
import { PartnerActor, PartnerConsoleService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { AppRequest } from '../../http/request-context';
import { PageData } from '../../web/page-renderer';
import {
  CreateAccountDto,
  CreateCustomerDto,
  CreateLicenseDto,
  UpdateAccountDto,
  UpdateCustomerDto,
  UpdateLicenseDto,
} from '../dto';
import { CUSTOMER_SORT } from '../partner.controller';
import { Actor } from '../partner-actor';
import {
  ACCOUNT_EDIT_FORM,
  ACCOUNT_FORM,
  CUSTOMER_EDIT_FORM,
  CUSTOMER_FORM,
  LICENSE_EDIT_FORM,
  LICENSE_FORM,
} from '../form-specs';
import { actionLabel, dateInput, invitedEmail, pageNumber, pager, queryText, urlWith } from '../../web/format';
import { attempt, parseForm } from '../../web/forms';
import { ConsolePages } from '../partner-pages';
import { ConsolePageFilter } from '../../web/page-filter';
import {
  accountPath,
  accountRow,
  auditRow,
  customerPath,
  customerRow,
  fullName,
  licenseRow,
  resetRow,
} from '../presenters';

type QueryParams = Record<string, unknown>;

const PAGE_SIZE = 25;
const SORT_COLUMNS = ['companyName', 'country', 'createdAt'] as const;

/** After "add account": the same words whether or not the address had an account elsewhere. */
function inviteNotice(query: QueryParams): string | undefined {
  const email = invitedEmail(query.invited);
  return email && `Account created. An invitation to set a password was emailed to ${email}.`;
}

/** Confirmations after a form post (POST-redirect-GET): fixed texts, chosen by `?done=`. */
const DONE: Record<string, string> = {
  'customer-created': 'Customer created.',
  'customer-saved': 'Customer saved.',
  'account-saved': 'Account saved.',
  'license-added': 'License added.',
  'license-saved': 'License saved.',
  'mfa-off': 'Two-factor authentication is off for this account. Its owner was signed out and told by email.',
};

/**
 * The partner console pages: customers, a customer's accounts and licenses, an account with its
 * password resets, and the audit trail. Every read and write goes through PartnerConsoleService,
 * scoped by the signed-in partner; forms post back here with a CSRF token and are checked with
 * the JSON API's DTO classes. partner_support browses and triggers resets; only partner_admin edits.
 */
@Controller('partner')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class PartnerPagesController {
  constructor(
    private readonly view: ConsolePages,
    private readonly console: PartnerConsoleService,
  ) {}

  @Get()
  index(@Res() res: Response) {
    res.redirect(303, '/partner/customers');
  }

  @Get('customers')
  async customers(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Query() query: QueryParams,
  ) {
    const q = queryText(query.q);
    const sortParam = queryText(query.sort, 20);
    const sortKey = sortParam.replace(/^-/, '');
    const current = Object.hasOwn(CUSTOMER_SORT, sortKey) ? sortParam : 'companyName';
    const sort = parseSort(current, CUSTOMER_SORT, { field: 'company_name', direction: 'ASC' });
    const list = await this.console.listCustomers(actor, {
      page: pageNumber(query.page),
      pageSize: PAGE_SIZE,
      q,
      sort,
    });
    const href = (params: Record<string, string | number | undefined>) =>
      urlWith('/partner/customers', { q, sort: current === 'companyName' ? undefined : current, ...params });
    const columns = Object.fromEntries(
      SORT_COLUMNS.map((column) => {
        const active = current.replace(/^-/, '') === column;
        const descending = active && current.startsWith('-');
        const next = active && !descending ? `-${column}` : column;
        return [
          column,
          {
            href: href({ sort: next === 'companyName' ? undefined : next }),
            ariaSort: active ? (descending ? 'descending' : 'ascending') : 'none',
            arrow: active ? (descending ? '↓' : '↑') : '',
          },
        ];
      }),
    );
    await this.view.send(req, res, actor, 'partner/customers/customers', 'customers', {
      title: 'Customers',
      q,
      sort: current === 'companyName' ? '' : current,
      columns,
      items: list.items.map(customerRow),
      pager: pager(
        list.page,
        list.pageSize,
        list.total,
        (n) => href({ page: n > 1 ? n : undefined }),
        list.totalCapped === true,
      ),
      searched: q !== '',
    });
  }

  @Get('customers/new')
  @Roles('partner_admin')
  async newCustomer(@Req() req: AppRequest, @Res() res: Response, @Actor() actor: PartnerActor) {
    await this.view.customerForm(req, res, actor, null, {}, {});
  }

  @Post('customers')
  @Roles('partner_admin')
  async createCustomer(@Req() req: AppRequest, @Res() res: Response, @Actor() actor: PartnerActor) {
    const form = parseForm(CreateCustomerDto, req.body, CUSTOMER_FORM);
    if (!form.ok) return this.view.customerForm(req, res, actor, null, form.values, form.errors, 400);
    const created = await this.console.createCustomer(actor, form.value);
    res.redirect(303, urlWith(customerPath(created.id), { done: 'customer-created' }));
  }

  @Get('customers/:customerId')
  async customer(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Query() query: QueryParams,
  ) {
    const customer = await this.console.getCustomer(actor, customerId);
    const tab = query.tab === 'licenses' ? 'licenses' : 'accounts';
    const base = customerPath(customerId);
    const data: PageData = {
      title: customer.companyName,
      customer: customerRow(customer),
      tab,
      tabs: [
        { label: 'Accounts', count: customer.accountCount, href: base, current: tab === 'accounts' },
        {
          label: 'Licenses',
          count: customer.licenseCount,
          href: urlWith(base, { tab: 'licenses' }),
          current: tab === 'licenses',
        },
      ],
      auditHref: urlWith('/partner/audit', { customerId }),
      notice: inviteNotice(query) ?? DONE[queryText(query.done, 40)],
    };
    if (tab === 'accounts') {
      const q = queryText(query.q);
      const list = await this.console.listAccounts(actor, customerId, {
        page: pageNumber(query.page),
        pageSize: PAGE_SIZE,
        q,
      });
      data.accounts = {
        q,
        searched: q !== '',
        items: list.items.map((a) => accountRow(customerId, a)),
        pager: pager(list.page, list.pageSize, list.total, (n) => urlWith(base, { q, page: n > 1 ? n : undefined })),
      };
    } else {
      const licenses = await this.console.listLicenses(actor, customerId);
      data.licenses = { items: licenses.items.map((l) => licenseRow(customerId, l)) };
    }
    await this.view.send(req, res, actor, 'partner/customers/customer', 'customers', data);
  }

  @Get('customers/:customerId/edit')
  @Roles('partner_admin')
  async editCustomer(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ) {
    const c = await this.console.getCustomer(actor, customerId);
    await this.view.customerForm(
      req,
      res,
      actor,
      c,
      { companyName: c.companyName, country: c.country, status: c.status },
      {},
    );
  }

  @Post('customers/:customerId')
  @Roles('partner_admin')
  async updateCustomer(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ) {
    const customer = await this.console.getCustomer(actor, customerId);
    const form = parseForm(UpdateCustomerDto, req.body, CUSTOMER_EDIT_FORM);
    if (!form.ok) return this.view.customerForm(req, res, actor, customer, form.values, form.errors, 400);
    await this.console.updateCustomer(actor, customerId, form.value);
    res.redirect(303, urlWith(customerPath(customerId), { done: 'customer-saved' }));
  }

  @Get('customers/:customerId/accounts/new')
  @Roles('partner_admin')
  async newAccount(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ) {
    await this.view.accountForm(req, res, actor, customerId, null, { role: 'read_only' }, {});
  }

  @Post('customers/:customerId/accounts')
  @Roles('partner_admin')
  async createAccount(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ) {
    const form = parseForm(CreateAccountDto, req.body, ACCOUNT_FORM);
    if (!form.ok) return this.view.accountForm(req, res, actor, customerId, null, form.values, form.errors, 400);
    const created = await attempt(ACCOUNT_FORM, () => this.console.createAccount(actor, customerId, form.value));
    if ('errors' in created)
      return this.view.accountForm(req, res, actor, customerId, null, form.values, created.errors, 409);
    // Back to the company's accounts, not to the new account's page: an address that has an
    // account in another tenant gets the same answer, and there is no page for it.
    res.redirect(303, urlWith(customerPath(customerId), { invited: created.value.email }));
  }

  @Get('customers/:customerId/accounts/:accountId')
  async account(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
    @Query() query: QueryParams,
  ) {
    const [customer, account] = await Promise.all([
      this.console.getCustomer(actor, customerId),
      this.console.getAccount(actor, customerId, accountId),
    ]);
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
    const path = accountPath(customerId, accountId);
    await this.view.send(req, res, actor, 'partner/accounts/account', 'customers', {
      title: fullName(account),
      banner,
      customer: customerRow(customer),
      account: accountRow(customerId, account),
      requests,
      live: requests.some((r) => r.live),
      refreshSeconds: requests.some((r) => r.live) ? 3 : undefined,
      scripts: ['/assets/reset-status.js'],
      resetHref: `${path}/reset-password/confirm`,
      expiresInMinutes: TOKEN_TTL_MS.password_reset / 60_000,
      canReset: account.status !== 'disabled',
      editHref: `${path}/edit`,
      mfaOffHref: `${path}/two-factor/turn-off`,
    });
  }

  @Get('customers/:customerId/accounts/:accountId/edit')
  @Roles('partner_admin')
  async editAccount(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    const a = await this.console.getAccount(actor, customerId, accountId);
    const values = {
      firstName: a.firstName,
      lastName: a.lastName,
      role: a.role,
      status: a.status === 'disabled' ? 'disabled' : 'active',
    };
    await this.view.accountForm(req, res, actor, customerId, a, values, {});
  }

  @Post('customers/:customerId/accounts/:accountId')
  @Roles('partner_admin')
  async updateAccount(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    const account = await this.console.getAccount(actor, customerId, accountId);
    const form = parseForm(UpdateAccountDto, req.body, ACCOUNT_EDIT_FORM);
    if (!form.ok) return this.view.accountForm(req, res, actor, customerId, account, form.values, form.errors, 400);
    await this.console.updateAccount(actor, customerId, accountId, form.value);
    res.redirect(303, urlWith(accountPath(customerId, accountId), { done: 'account-saved' }));
  }

  /** The notice before a reset: what will happen, with OK (a form) and Cancel (a link back). */
  @Get('customers/:customerId/accounts/:accountId/reset-password/confirm')
  async confirmReset(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    const { customer, account, path } = await this.accountNotice(actor, customerId, accountId);
    await this.view.send(req, res, actor, 'partner/accounts/reset-confirm', 'customers', {
      title: `Reset password for ${fullName(account)}`,
      customer: customerRow(customer),
      account: accountRow(customerId, account),
      canReset: account.status !== 'disabled',
      expiresInMinutes: TOKEN_TTL_MS.password_reset / 60_000,
      linkMails: { limit: LINK_MAILS_PER_RECIPIENT.limit, minutes: LINK_MAILS_PER_RECIPIENT.windowMs / 60_000 },
      action: `${path}/reset-password`,
      cancelHref: path,
    });
  }

  @Post('customers/:customerId/accounts/:accountId/reset-password')
  async reset(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    const { requestId } = await this.console.triggerPasswordReset(actor, customerId, accountId);
    res.redirect(303, urlWith(accountPath(customerId, accountId), { reset: requestId }));
  }

  /** For an owner who lost every factor: what turning 2FA off does, with OK and Cancel. */
  @Get('customers/:customerId/accounts/:accountId/two-factor/turn-off')
  @Roles('partner_admin')
  async confirmMfaOff(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    const { customer, account, path } = await this.accountNotice(actor, customerId, accountId);
    await this.view.send(req, res, actor, 'partner/accounts/mfa-off-confirm', 'customers', {
      title: `Turn off two-factor authentication for ${fullName(account)}`,
      customer: customerRow(customer),
      account: accountRow(customerId, account),
      action: `${path}/two-factor/turn-off`,
      cancelHref: path,
    });
  }

  @Post('customers/:customerId/accounts/:accountId/two-factor/turn-off')
  @Roles('partner_admin')
  async mfaOff(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('accountId', IdPipe) accountId: string,
  ) {
    await this.console.resetAccountMfa(actor, customerId, accountId);
    res.redirect(303, urlWith(accountPath(customerId, accountId), { done: 'mfa-off' }));
  }

  @Get('customers/:customerId/licenses/new')
  @Roles('partner_admin')
  async newLicense(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ) {
    const today = new Date();
    const nextYear = new Date(Date.UTC(today.getUTCFullYear() + 1, today.getUTCMonth(), today.getUTCDate()));
    const values = {
      seats: '10',
      startsAt: dateInput(today.toISOString()),
      expiresAt: dateInput(nextYear.toISOString()),
    };
    await this.view.licenseForm(req, res, actor, customerId, null, values, {});
  }

  @Post('customers/:customerId/licenses')
  @Roles('partner_admin')
  async createLicense(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ) {
    const form = parseForm(CreateLicenseDto, req.body, LICENSE_FORM);
    if (!form.ok) return this.view.licenseForm(req, res, actor, customerId, null, form.values, form.errors, 400);
    const created = await attempt(LICENSE_FORM, () => this.console.createLicense(actor, customerId, form.value));
    if ('errors' in created)
      return this.view.licenseForm(req, res, actor, customerId, null, form.values, created.errors, 400);
    res.redirect(303, urlWith(customerPath(customerId), { tab: 'licenses', done: 'license-added' }));
  }

  @Get('customers/:customerId/licenses/:licenseId/edit')
  @Roles('partner_admin')
  async editLicense(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
  ) {
    const l = await this.console.getLicense(actor, customerId, licenseId);
    const values = {
      product: l.product,
      seats: String(l.seats),
      startsAt: dateInput(l.startsAt),
      expiresAt: dateInput(l.expiresAt),
      status: l.status === 'suspended' ? 'suspended' : 'active',
    };
    await this.view.licenseForm(req, res, actor, customerId, l, values, {});
  }

  @Post('customers/:customerId/licenses/:licenseId')
  @Roles('partner_admin')
  async updateLicense(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Param('licenseId', IdPipe) licenseId: string,
  ) {
    const license = await this.console.getLicense(actor, customerId, licenseId);
    const form = parseForm(UpdateLicenseDto, req.body, LICENSE_EDIT_FORM);
    if (!form.ok) return this.view.licenseForm(req, res, actor, customerId, license, form.values, form.errors, 400);
    const saved = await attempt(LICENSE_EDIT_FORM, () =>
      this.console.updateLicense(actor, customerId, licenseId, form.value),
    );
    if ('errors' in saved)
      return this.view.licenseForm(req, res, actor, customerId, license, form.values, saved.errors, 400);
    res.redirect(303, urlWith(customerPath(customerId), { tab: 'licenses', done: 'license-saved' }));
  }

  @Get('audit')
  async audit(@Req() req: AppRequest, @Res() res: Response, @Actor() actor: PartnerActor, @Query() query: QueryParams) {
    const customerId = queryText(query.customerId, 40) || undefined;
    // A customer filter names one of the partner's customers; another's, or a malformed id, is 404.
    const customer = customerId ? await this.console.getCustomer(actor, new IdPipe().transform(customerId)) : null;
    const action = AUDIT_ACTIONS.find((a) => a === query.action);
    const list = await this.console.listAudit(
      actor,
      { customerId: customer?.id, action },
      { page: pageNumber(query.page), pageSize: PAGE_SIZE },
    );
    const href = (params: Record<string, string | number | undefined>) =>
      urlWith('/partner/audit', { customerId: customer?.id, action, ...params });
    await this.view.send(req, res, actor, 'partner/audit/audit', 'audit', {
      title: 'Audit trail',
      items: list.items.map((e) => auditRow(e, (id) => href({ customerId: id }))),
      actions: AUDIT_ACTIONS.map((value) => ({
        value,
        label: actionLabel(value),
        selected: value === action,
      })),
      customer: customer ? { ...customerRow(customer), clearHref: href({ customerId: undefined }) } : null,
      filtered: Boolean(customer || action),
      pager: pager(list.page, list.pageSize, list.total, (n) => href({ page: n > 1 ? n : undefined })),
    });
  }

  /** What a notice about an account shows: the customer, the account and the account's page. */
  private async accountNotice(actor: PartnerActor, customerId: string, accountId: string) {
    const [customer, account] = await Promise.all([
      this.console.getCustomer(actor, customerId),
      this.console.getAccount(actor, customerId, accountId),
    ]);
    return { customer, account, path: accountPath(customerId, accountId) };
  }
}
