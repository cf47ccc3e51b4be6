import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { PartnerActor, PartnerConsoleService } from '@lmp/tenancy';
import { CsrfService } from '../http/csrf';
import { AppRequest } from '../http/request-context';
import { PageData, PageRenderer } from '../web/page-renderer';
import { ROLE_LABELS, urlWith } from '../web/format';
import { FieldErrors } from '../web/forms';
import { accountPath, customerPath, customerRow, fullName } from './presenters';

export type Nav = 'customers' | 'audit' | 'settings';

/**
 * Renders the console's pages inside its shell (navigation, who is signed in, sign-out with a
 * CSRF token), and its three forms, so that the controller only maps routes to service calls.
 */
@Injectable()
export class ConsolePages {
  constructor(
    private readonly pages: PageRenderer,
    private readonly csrf: CsrfService,
    private readonly console: PartnerConsoleService,
  ) {}

  async customerForm(
    req: AppRequest,
    res: Response,
    actor: PartnerActor,
    customer: { id: string; companyName: string } | null,
    values: Record<string, string>,
    errors: FieldErrors,
    status = 200,
  ) {
    await this.send(
      req,
      res,
      actor,
      'partner/customers/customer-form',
      'customers',
      {
        title: customer ? `Edit ${customer.companyName}` : 'Add customer',
        customer,
        action: customer ? customerPath(customer.id) : '/partner/customers',
        cancelHref: customer ? customerPath(customer.id) : '/partner/customers',
        values,
        errors,
        errorList: Object.entries(errors).map(([field, message]) => ({ field, message })),
        statuses: options(['active', 'suspended'], values.status, { active: 'Active', suspended: 'Suspended' }),
      },
      status,
    );
  }

  async accountForm(
    req: AppRequest,
    res: Response,
    actor: PartnerActor,
    customerId: string,
    account: { id: string; firstName: string; lastName: string; email: string } | null,
    values: Record<string, string>,
    errors: FieldErrors,
    status = 200,
  ) {
    const customer = await this.console.getCustomer(actor, customerId);
    await this.send(
      req,
      res,
      actor,
      'partner/accounts/account-form',
      'customers',
      {
        title: account ? `Edit ${fullName(account)}` : `Add account to ${customer.companyName}`,
        customer: customerRow(customer),
        account: account ? { ...account, name: fullName(account), href: accountPath(customerId, account.id) } : null,
        action: account ? accountPath(customerId, account.id) : `${customerPath(customerId)}/accounts`,
        cancelHref: account ? accountPath(customerId, account.id) : customerPath(customerId),
        values,
        errors,
        errorList: Object.entries(errors).map(([field, message]) => ({ field, message })),
        roles: options(['full_access', 'read_only'], values.role, ROLE_LABELS),
        statuses: options(['active', 'disabled'], values.status, { active: 'Enabled', disabled: 'Disabled' }),
      },
      status,
    );
  }

  async licenseForm(
    req: AppRequest,
    res: Response,
    actor: PartnerActor,
    customerId: string,
    license: { id: string; product: string } | null,
    values: Record<string, string>,
    errors: FieldErrors,
    status = 200,
  ) {
    const customer = await this.console.getCustomer(actor, customerId);
    const licensesHref = urlWith(customerPath(customerId), { tab: 'licenses' });
    await this.send(
      req,
      res,
      actor,
      'partner/licenses/license-form',
      'customers',
      {
        title: license ? `Edit license ${license.product}` : `Add license for ${customer.companyName}`,
        customer: customerRow(customer),
        license,
        licensesHref,
        action: license ? `${customerPath(customerId)}/licenses/${license.id}` : `${customerPath(customerId)}/licenses`,
        cancelHref: licensesHref,
        values,
        errors,
        errorList: Object.entries(errors).map(([field, message]) => ({ field, message })),
        statuses: options(['active', 'suspended'], values.status, { active: 'Active', suspended: 'Suspended' }),
      },
      status,
    );
  }

  /** Renders a page inside the console shell: navigation, who is signed in, sign-out with CSRF. */
  async send(
    req: AppRequest,
    res: Response,
    actor: PartnerActor,
    view: string,
    nav: Nav,
    data: PageData,
    status = 200,
  ) {
    const user = req.auth!.user;
    const partner = await this.console.getPartner(actor);
    const canEdit = user.role === 'partner_admin';
    this.pages.send(
      res,
      view,
      {
        ...data,
        wide: true,
        csrf: this.csrf.token(req, res),
        canEdit,
        shell: {
          name: `${user.firstName} ${user.lastName}`.trim() || user.email,
          email: user.email,
          role: ROLE_LABELS[user.role] ?? user.role,
          partnerName: partner.name,
          customers: nav === 'customers',
          audit: nav === 'audit',
          settings: nav === 'settings',
        },
      },
      status,
    );
  }
}

function options(values: string[], selected: string | undefined, labels: Record<string, string>) {
  return values.map((value) => ({ value, label: labels[value] ?? value, selected: value === selected }));
}
