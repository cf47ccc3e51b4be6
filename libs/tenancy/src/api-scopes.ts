/**
 * What a partner API token may do. Each partner API route names the one scope it needs
 * (`@RequireScope` in the console); a route without one is closed to tokens.
 */
export const API_SCOPES = [
  'customers:read',
  'customers:write',
  'accounts:read',
  'accounts:write',
  'accounts:reset',
  'licenses:read',
  'licenses:write',
  'audit:read',
  'webhooks:manage',
] as const;

export type ApiScope = (typeof API_SCOPES)[number];
