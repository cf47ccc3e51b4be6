import { Controller, Get, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { parseSort } from '@lmp/common';
import { PartnerActor, PartnerAccountsService, PartnerCustomersService, PartnerLicensesService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { AppRequest } from '../../http/request-context';
import { invitedEmail, pageNumber, pager, queryText, urlWith } from '../../web/format';
import { parseForm } from '../../web/forms';
import { PageData } from '../../web/page-renderer';
import { page, PageResult, redirect } from '../../web/page-result';
import { ConsolePageFilter } from '../../web/page-filter';
import { CreateCustomerDto, UpdateCustomerDto } from '../dto';
import { CUSTOMER_EDIT_FORM, CUSTOMER_FORM } from '../form-specs';
import { Actor } from '../partner-actor';
import { accountRow, customerPath, customerRow, DONE, licenseRow, PAGE_SIZE, QueryParams } from '../presenters';
import { CUSTOMER_SORT } from './customer-sort';
import { customerForm, sortColumns } from './presenters';

/** After "add account": the same words whether or not the address had an account elsewhere. */
function inviteNotice(query: QueryParams): string | undefined {
  const email = invitedEmail(query.invited);
  return email && `Account created. An invitation to set a password was emailed to ${email}.`;
}

/**
 * The partner console's customers: the list, a customer with its accounts or licenses, and the
 * customer form. Every read and write goes through the partner services, scoped by the signed-in
 * partner; forms are checked with the JSON API's DTO classes. partner_support browses; only
 * partner_admin edits.
 */
@Controller('partner')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class CustomerPagesController {
  constructor(
    private readonly partnerAccounts: PartnerAccountsService,
    private readonly partnerCustomers: PartnerCustomersService,
    private readonly partnerLicenses: PartnerLicensesService,
  ) {}

  @Get()
  index(): PageResult {
    return redirect('/partner/customers');
  }

  @Get('customers')
  async customers(@Actor() actor: PartnerActor, @Query() query: QueryParams): Promise<PageResult> {
    const q = queryText(query.q);
    const sortParam = queryText(query.sort, 20);
    const sortKey = sortParam.replace(/^-/, '');
    const current = Object.hasOwn(CUSTOMER_SORT, sortKey) ? sortParam : 'companyName';
    const sort = parseSort(current, CUSTOMER_SORT, { field: 'company_name', direction: 'ASC' });
    const list = await this.partnerCustomers.listCustomers(actor, {
      page: pageNumber(query.page),
      pageSize: PAGE_SIZE,
      q,
      sort,
    });
    const href = (params: Record<string, string | number | undefined>) =>
      urlWith('/partner/customers', { q, sort: current === 'companyName' ? undefined : current, ...params });
    const pages = pager(
      list.page,
      list.pageSize,
      list.total,
      (n) => href({ page: n > 1 ? n : undefined }),
      list.totalCapped === true,
    );
    return page(
      'partner/customers/customers',
      {
        title: 'Customers',
        q,
        sort: current === 'companyName' ? '' : current,
        columns: sortColumns(current, href),
        items: list.items.map(customerRow),
        pager: pages,
        searched: q !== '',
        // The whole list with the same search and order (the API's CSV export).
        csvHref: urlWith('/api/v1/partner/customers.csv', { q, sort: current === 'companyName' ? undefined : current }),
      },
      { shell: 'customers' },
    );
  }

  @Get('customers/new')
  @Roles('partner_admin')
  newCustomer(): PageResult {
    return customerForm(null, {}, {});
  }

  @Post('customers')
  @Roles('partner_admin')
  async createCustomer(@Req() req: AppRequest, @Actor() actor: PartnerActor): Promise<PageResult> {
    const form = parseForm(CreateCustomerDto, req.body, CUSTOMER_FORM);
    if (!form.ok) return customerForm(null, form.values, form.errors, 400);
    const created = await this.partnerCustomers.createCustomer(actor, form.value);
    return redirect(urlWith(customerPath(created.id), { done: 'customer-created' }));
  }

  @Get('customers/:customerId')
  async customer(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
    @Query() query: QueryParams,
  ): Promise<PageResult> {
    const customer = await this.partnerCustomers.getCustomer(actor, customerId);
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
      const list = await this.partnerAccounts.listAccounts(actor, customerId, {
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
      const licenses = await this.partnerLicenses.listLicenses(actor, customerId);
      data.licenses = { items: licenses.items.map((l) => licenseRow(customerId, l)) };
    }
    return page('partner/customers/customer', data, { shell: 'customers' });
  }

  @Get('customers/:customerId/edit')
  @Roles('partner_admin')
  async editCustomer(
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ): Promise<PageResult> {
    const c = await this.partnerCustomers.getCustomer(actor, customerId);
    return customerForm(c, { companyName: c.companyName, country: c.country, status: c.status }, {});
  }

  @Post('customers/:customerId')
  @Roles('partner_admin')
  async updateCustomer(
    @Req() req: AppRequest,
    @Actor() actor: PartnerActor,
    @Param('customerId', IdPipe) customerId: string,
  ): Promise<PageResult> {
    const customer = await this.partnerCustomers.getCustomer(actor, customerId);
    const form = parseForm(UpdateCustomerDto, req.body, CUSTOMER_EDIT_FORM);
    if (!form.ok) return customerForm(customer, form.values, form.errors, 400);
    await this.partnerCustomers.updateCustomer(actor, customerId, form.value);
    return redirect(urlWith(customerPath(customerId), { done: 'customer-saved' }));
  }
}
