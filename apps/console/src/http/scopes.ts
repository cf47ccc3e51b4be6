import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiScope } from '@lmp/tenancy';

export const SCOPE_METADATA = 'lmp:api-scope';

/**
 * The scope an API token needs for this partner route. Sessions are not affected (their
 * roles decide); a route without a scope answers 403 to every token. The OpenAPI document
 * shows the route as open to a bearer token, and names the scope (`x-required-scope`).
 */
export const RequireScope = (scope: ApiScope) =>
  applyDecorators(SetMetadata(SCOPE_METADATA, scope), ApiBearerAuth('token'), ApiExtension('x-required-scope', scope));
