import { MfaKind } from '@lmp/database';
import { MfaMethodView, MfaOverview } from '@lmp/identity';
import { dateOnly, urlWith } from '../../web/format';

/** Where the two-factor pages of My Profile → Security live. */
export const MFA_BASE = '/account/security/two-factor';

export type SetupSlug = 'app' | 'sms' | 'email';

interface KindInfo {
  kind: MfaKind;
  slug: SetupSlug;
  label: string;
  description: string;
}

/** The kinds of method, as the pages name them, in the order the security page offers them. */
export const MFA_KINDS: readonly KindInfo[] = [
  {
    kind: 'totp',
    slug: 'app',
    label: 'Authenticator app',
    description:
      'Codes from an app on your phone, such as Google Authenticator, Microsoft Authenticator or 1Password. Works without a signal.',
  },
  {
    kind: 'sms',
    slug: 'sms',
    label: 'Text message (SMS)',
    description: 'A code by text message to your mobile phone each time you sign in.',
  },
  {
    kind: 'email',
    slug: 'email',
    label: 'Email',
    description: 'A code by email, to your sign-in address or another one you choose.',
  },
];

const BY_KIND = Object.fromEntries(MFA_KINDS.map((k) => [k.kind, k])) as Record<MfaKind, KindInfo>;
const BY_SLUG = Object.fromEntries(MFA_KINDS.map((k) => [k.slug, k])) as Record<SetupSlug, KindInfo>;

export const kindInfo = (kind: MfaKind): KindInfo => BY_KIND[kind];

export const slugInfo = (slug: SetupSlug): KindInfo => BY_SLUG[slug];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The method a set-up replaces (`?replace=`): an id, or nothing. */
export const replaceId = (value: unknown): string | undefined =>
  typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined;

export const setupHref = (slug: SetupSlug, replace?: string) => urlWith(`${MFA_BASE}/${slug}`, { replace });

/** The "confirm it's you" page, before a change to sign-in methods. */
export const REAUTH_PATH = `${MFA_BASE}/confirm-identity`;

/** The "confirm it's you" page, coming back to `next` (a path of this site) afterwards. */
export const reauthHref = (next: string): string => urlWith(REAUTH_PATH, { next });

export const codeHref = (methodId: string, params: { replace?: string; sent?: 1 }) =>
  urlWith(`${MFA_BASE}/${methodId}/code`, params);

export function methodRow(m: MfaMethodView) {
  const info = kindInfo(m.kind);
  return {
    id: m.id,
    kindLabel: info.label,
    hint: m.hint,
    isDefault: m.isDefault,
    added: dateOnly(m.createdAt),
    defaultAction: `${MFA_BASE}/${m.id}/default`,
    changeHref: setupHref(info.slug, m.id),
    removeHref: `${MFA_BASE}/${m.id}/remove`,
  };
}

/** The Two-factor authentication section of the security page. */
export function twoFactorSection(o: MfaOverview) {
  return {
    enabled: o.enabled,
    status: o.enabled ? { tone: 'green', text: 'On' } : { tone: 'grey', text: 'Off' },
    methods: o.methods.map(methodRow),
    single: o.enabled && o.methods.length === 1,
    kinds: MFA_KINDS.map((k) => ({ ...k, href: setupHref(k.slug) })),
    recoveryCodesLeft: o.recoveryCodesLeft,
    // As the service's "running out" email, which goes at 2 codes left.
    recoveryLow: o.enabled && o.recoveryCodesLeft <= 2,
    recoveryHref: `${MFA_BASE}/recovery-codes`,
    turnOffHref: `${MFA_BASE}/turn-off`,
  };
}

/** The recovery codes page: the list, and the same as a text file to download. */
export function recoveryCodesPage(codes: string[], email: string, first: boolean) {
  const text = [
    `LMP recovery codes for ${email}`,
    '',
    ...codes,
    '',
    'Each code works once, in place of a code from your two-factor method.',
    'Keep them somewhere safe, apart from your phone.',
    '',
  ].join('\n');
  return {
    title: 'Save your recovery codes',
    first,
    codes,
    downloadHref: `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`,
    doneHref: urlWith('/account/security', { done: first ? 'mfa-on' : 'codes-created' }),
  };
}
