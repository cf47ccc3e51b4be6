import { SessionListItem } from '@lmp/identity';
import { dateTime } from '../web/format';

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
