import { customerView } from '@lmp/tenancy';
import { ROLE_LABELS } from '../../web/format';
import { errorList, FieldErrors, options } from '../../web/forms';
import { page, Page } from '../../web/page-result';
import { accountPath, customerPath, customerRow, fullName } from '../presenters';

/** The add / edit account form, under its customer. */
export function accountForm(
  customer: ReturnType<typeof customerView>,
  account: { id: string; firstName: string; lastName: string; email: string } | null,
  values: Record<string, string>,
  errors: FieldErrors,
  status = 200,
): Page {
  const customerId = customer.id;
  return page(
    'partner/accounts/account-form',
    {
      title: account ? `Edit ${fullName(account)}` : `Add account to ${customer.companyName}`,
      customer: customerRow(customer),
      account: account ? { ...account, name: fullName(account), href: accountPath(customerId, account.id) } : null,
      action: account ? accountPath(customerId, account.id) : `${customerPath(customerId)}/accounts`,
      cancelHref: account ? accountPath(customerId, account.id) : customerPath(customerId),
      values,
      errors,
      errorList: errorList(errors),
      roles: options(['full_access', 'read_only'], values.role, ROLE_LABELS),
      statuses: options(['active', 'disabled'], values.status, { active: 'Enabled', disabled: 'Disabled' }),
    },
    { shell: 'customers', status },
  );
}
