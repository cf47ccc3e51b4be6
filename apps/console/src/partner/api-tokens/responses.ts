import { ApiScope } from '@lmp/tenancy';

/** What the API token routes answer (see apps/console/src/http/responses.ts for how these are read). */

/** A token, never its secret. */
export class ApiTokenResponse {
  id!: string;
  name!: string;
  scopes!: ApiScope[];
  status!: 'active' | 'expired' | 'revoked';
  createdAt!: string;
  createdByEmail!: string | null;
  expiresAt!: string;
  revokedAt!: string | null;
  lastUsedAt!: string | null;
  lastUsedIp!: string | null;
}

export class ApiTokenList {
  items!: ApiTokenResponse[];
}

export class CreatedApiTokenResponse extends ApiTokenResponse {
  /** `lmp_pat_…`: in this answer only; only its hash is kept. */
  token!: string;
}
