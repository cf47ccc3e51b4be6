import { customerView } from '@lmp/tenancy';
import { urlWith } from '../../web/format';
import { errorList, FieldErrors, options } from '../../web/forms';
import { page, Page } from '../../web/page-result';
import { customerPath, customerRow } from '../presenters';

/** The add / edit license form, under its customer's licenses. */
export function licenseForm(
  customer: ReturnType<typeof customerView>,
  license: { id: string; product: string } | null,
  values: Record<string, string>,
  errors: FieldErrors,
  status = 200,
): Page {
  const base = customerPath(customer.id);
  const licensesHref = urlWith(base, { tab: 'licenses' });
  return page(
    'partner/licenses/license-form',
    {
      title: license ? `Edit license ${license.product}` : `Add license for ${customer.companyName}`,
      customer: customerRow(customer),
      license,
      licensesHref,
      action: license ? `${base}/licenses/${license.id}` : `${base}/licenses`,
      cancelHref: licensesHref,
      values,
      errors,
      errorList: errorList(errors),
      statuses: options(['active', 'suspended'], values.status, { active: 'Active', suspended: 'Suspended' }),
    },
    { shell: 'customers', status },
  );
}
