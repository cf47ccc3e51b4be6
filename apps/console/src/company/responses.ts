import { AccountResponse } from '../http/responses';

/** What the company API answers; see apps/console/src/http/responses.ts for how these are read. */
export class CompanyUserList {
  items!: AccountResponse[];
}
