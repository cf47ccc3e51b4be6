import { API_SCOPES, API_TOKEN_DAYS, ApiTokenView } from '@lmp/tenancy';
import { badge, dateTime } from '../../web/format';
import { errorList, FieldErrors, FormSpec, options } from '../../web/forms';
import { page, PageResult } from '../../web/page-result';

export const TOKENS_PATH = '/partner/settings/api-tokens';

/** What each scope lets a token do, in the words of the form. */
export const SCOPE_LABELS: Record<string, string> = {
  'customers:read': 'See customers',
  'customers:write': 'Add and change customers (and see them)',
  'accounts:read': 'See accounts',
  'accounts:write': 'Add and change accounts, give Full Access, turn off two-factor authentication (and see them)',
  'accounts:reset': 'Send password resets and follow their delivery',
  'licenses:read': 'See licenses',
  'licenses:write': 'Add and change licenses (and see them)',
  'audit:read': 'Read the audit trail',
  'webhooks:manage': 'Manage webhooks',
};

export const TOKEN_FORM: FormSpec = {
  fields: {
    name: 'Enter a name of at most 100 characters, such as the program that will use the token.',
    scopes: 'Choose at least one thing the token may do.',
    expiresInDays: `Choose when the token expires: within ${API_TOKEN_DAYS.max} days.`,
  },
};

const EXPIRY_CHOICES = ['7', '30', '90', '180', '365'];
const EXPIRY_LABELS: Record<string, string> = {
  '7': 'In 7 days',
  '30': 'In 30 days',
  '90': 'In 90 days',
  '180': 'In 180 days',
  '365': 'In a year',
};

export const DONE_TOKENS: Record<string, string> = {
  revoked: 'Token revoked. Programs that use it are refused from now on.',
};

export function tokenRow(t: ApiTokenView) {
  return {
    ...t,
    badge: badge(t.status),
    scopeText: t.scopes.join(', '),
    created: dateTime(t.createdAt),
    expires: dateTime(t.expiresAt),
    lastUsed: dateTime(t.lastUsedAt),
    revokeHref: `${TOKENS_PATH}/${t.id}/revoke`,
  };
}

/** The token list with the form to create one (filled again, with its errors, after a refusal). */
export function tokensPage(
  tokens: ApiTokenView[],
  values: { name?: string; scopes?: string[]; expiresInDays?: string },
  errors: FieldErrors,
  extra: { notice?: string; status?: number } = {},
): PageResult {
  const chosen = new Set(values.scopes ?? []);
  return page(
    'partner/api-tokens/tokens',
    {
      title: 'API tokens',
      items: tokens.map(tokenRow),
      values,
      errors,
      errorList: errorList(errors),
      scopes: API_SCOPES.map((s) => ({
        value: s,
        label: SCOPE_LABELS[s],
        checked: chosen.has(s),
        id: `scope-${s.replace(':', '-')}`,
      })),
      expiries: options(EXPIRY_CHOICES, values.expiresInDays ?? String(API_TOKEN_DAYS.default), EXPIRY_LABELS),
      notice: extra.notice,
    },
    { shell: 'settings', status: extra.status },
  );
}
