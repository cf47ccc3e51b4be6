import { LicenseResponse } from '../partner/responses';
import { AccountResponse } from '../http/responses';

/** What the company API answers; see apps/console/src/http/responses.ts for how these are read. */
export class CompanyUserList {
  items!: AccountResponse[];
}

/** The company's soonest expiry among its licenses in use. */
export class NextExpiry {
  id!: string;
  product!: string;
  expiresAt!: string;
}

export class CompanyLicenseSummary {
  /** Licenses in use: active, expiring or in their grace period. */
  active!: number;
  expiring!: number;
  nextExpiry!: NextExpiry | null;
}

/** A customer company's own licenses, soonest expiry first, with what its home page sums up. */
export class CompanyLicenseList {
  items!: LicenseResponse[];
  summary!: CompanyLicenseSummary;
}
