import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiScope } from '@lmp/tenancy';

export const SCOPE_METADATA = 'lmp:api-scope';

/**
 * The scope an API token needs for this partner route; given several, any one of them will do
 * (creating a customer's account is open to `accounts:write` and to `customers:write`).
 * Sessions are not affected (their roles decide); a route without a scope answers 403 to every
 * token. The OpenAPI document shows the route as open to a bearer token and lists the scopes
 * that open it (`x-required-scopes`, any one of them).
 */
export const RequireScope = (...anyOf: [ApiScope, ...ApiScope[]]) =>
  applyDecorators(SetMetadata(SCOPE_METADATA, anyOf), ApiBearerAuth('token'), ApiExtension('x-required-scopes', anyOf));
