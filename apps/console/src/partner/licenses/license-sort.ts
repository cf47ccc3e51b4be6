import { LICENSE_LIST_SORT, LicenseListSortField } from '@lmp/tenancy';

/** `sort=` keys of the partner's licenses (API and page): expiresAt, product, companyName, seats. */
export const LICENSE_LIST_SORT_KEYS: Record<string, LicenseListSortField> = { ...LICENSE_LIST_SORT };
