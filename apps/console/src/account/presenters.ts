import { SessionListItem } from '@lmp/identity';
import { accountView } from '@lmp/tenancy';
import { badge, dateTime, ROLE_LABELS } from '../web/format';
import { fullName } from '../partner/presenters';

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\//, 'Firefox'],
  [/Chrom(e|ium)\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iOS/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** "Chrome on Linux" from a User-Agent header; the header itself when neither is recognised. */
export function deviceLabel(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser || system) return (browser ?? system)!;
  return userAgent.length > 60 ? `${userAgent.slice(0, 57)}…` : userAgent;
}

export function sessionRow(s: SessionListItem) {
  return {
    id: s.id,
    device: deviceLabel(s.userAgent),
    userAgent: s.userAgent ?? '',
    ip: s.ip ?? 'Unknown',
    lastSeen: dateTime(s.lastSeenAt),
    signedIn: dateTime(s.createdAt),
    current: s.current,
    signOutAction: `/account/security/sessions/${s.id}/sign-out`,
  };
}

type CompanyUserView = ReturnType<typeof accountView>;

export const companyUserPath = (userId: string) => `/company/users/${userId}`;

export function companyUserRow(u: CompanyUserView, meId: string) {
  const name = fullName(u);
  return {
    id: u.id,
    name,
    email: u.email,
    role: u.role,
    roleLabel: ROLE_LABELS[u.role] ?? u.role,
    statusBadge: badge(u.status),
    lastLogin: dateTime(u.lastLoginAt),
    isYou: u.id === meId,
    roleAction: `${companyUserPath(u.id)}/role`,
    removeHref: `${companyUserPath(u.id)}/remove`,
    roles: ['full_access', 'read_only'].map((value) => ({
      value,
      label: ROLE_LABELS[value],
      selected: value === u.role,
    })),
  };
}
