import { errorList, FieldErrors, options } from '../../web/forms';
import { page, Page } from '../../web/page-result';
import { sortableColumns, SortHref } from '../../web/sortable-columns';
import { customerPath } from '../presenters';

const SORT_COLUMNS = ['companyName', 'country', 'createdAt'] as const;

/** The list's column headers: each a link that sorts by it (again: the other way), and its state. */
export const sortColumns = (current: string, href: SortHref) =>
  sortableColumns(SORT_COLUMNS, 'companyName', current, href);

/** The add / edit customer form. */
export function customerForm(
  customer: { id: string; companyName: string } | null,
  values: Record<string, string>,
  errors: FieldErrors,
  status = 200,
): Page {
  return page(
    'partner/customers/customer-form',
    {
      title: customer ? `Edit ${customer.companyName}` : 'Add customer',
      customer,
      action: customer ? customerPath(customer.id) : '/partner/customers',
      cancelHref: customer ? customerPath(customer.id) : '/partner/customers',
      values,
      errors,
      errorList: errorList(errors),
      statuses: options(['active', 'suspended'], values.status, { active: 'Active', suspended: 'Suspended' }),
    },
    { shell: 'customers', status },
  );
}
