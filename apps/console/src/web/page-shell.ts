import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { PartnerSettingsService } from '@lmp/tenancy';
import { CsrfService } from '../http/csrf';
import { AppRequest } from '../http/request-context';
import { ROLE_LABELS } from './format';
import { ShellNav } from './page-result';

const PARTNER_NAV: readonly ShellNav[] = ['customers', 'licenses', 'audit', 'settings'];

/** The start page of each kind of user, linked from the account pages' navigation. */
function homeLink(req: AppRequest): { href: string; label: string } | null {
  const user = req.auth!.user;
  if (user.partnerId) return { href: '/partner/customers', label: 'Customers' };
  if (user.role === 'platform_admin') return { href: '/ops/queues', label: 'Queues' };
  return null;
}

/**
 * The signed-in shell around partner and account pages: navigation (the partner console's
 * Customers, Audit and Settings; or My Profile's Profile, Security, Subscriptions, and Users for
 * customer users), who is signed in, and sign-out with a CSRF token.
 */
@Injectable()
export class PageShell {
  constructor(
    private readonly csrf: CsrfService,
    private readonly partnerSettings: PartnerSettingsService,
  ) {}

  /** What the layout needs around a page under `nav`. */
  async data(req: AppRequest, res: Response, nav: ShellNav): Promise<Record<string, unknown>> {
    const user = req.auth!.user;
    const who = {
      name: `${user.firstName} ${user.lastName}`.trim() || user.email,
      email: user.email,
      role: ROLE_LABELS[user.role] ?? user.role,
    };
    const csrf = this.csrf.token(req, res);
    if (PARTNER_NAV.includes(nav) && user.partnerId) {
      const partner = await this.partnerSettings.getPartner({
        partnerId: user.partnerId,
        userId: user.id,
        ip: req.ip ?? null,
      });
      return {
        wide: true,
        csrf,
        canEdit: user.role === 'partner_admin',
        shell: {
          ...who,
          partnerName: partner.name,
          customers: nav === 'customers',
          licenses: nav === 'licenses',
          audit: nav === 'audit',
          settings: nav === 'settings',
        },
      };
    }
    return {
      wide: true,
      csrf,
      shell: {
        ...who,
        account: {
          home: homeLink(req),
          company: Boolean(user.customerId),
          [nav === 'company-licenses' ? 'licenses' : nav]: true,
        },
      },
    };
  }
}
