import { SetMetadata } from '@nestjs/common';
import { ApiScope } from '@lmp/tenancy';

export const SCOPE_METADATA = 'lmp:api-scope';

/**
 * The scope an API token needs for this partner route. Sessions are not affected (their
 * roles decide); a route without a scope answers 403 to every token.
 */
export const RequireScope = (scope: ApiScope) => SetMetadata(SCOPE_METADATA, scope);
