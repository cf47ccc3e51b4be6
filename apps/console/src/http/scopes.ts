import { SetMetadata } from '@nestjs/common';
import { ApiScope } from '@lmp/tenancy';

export const SCOPE_METADATA = 'lmp:api-scope';

/**
 * The scope an API token needs for this partner route; given several, any one of them will do
 * (creating a customer's account is open to `accounts:write` and to `customers:write`).
 * Sessions are not affected (their roles decide); a route without a scope answers 403 to every token.
 */
export const RequireScope = (...anyOf: [ApiScope, ...ApiScope[]]) => SetMetadata(SCOPE_METADATA, anyOf);
