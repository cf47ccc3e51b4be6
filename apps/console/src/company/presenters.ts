import { accountView } from '@lmp/tenancy';
import { fullName } from '../partner/presenters';
import { badge, dateTime, ROLE_LABELS } from '../web/format';

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
