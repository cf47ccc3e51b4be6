import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { CsrfService } from '../http/csrf';
import { AppRequest } from '../http/request-context';
import { PageData, PageRenderer } from './page-renderer';
import { ROLE_LABELS } from './format';
import { FieldErrors } from './forms';

export type AccountNav = 'profile' | 'security' | 'subscriptions' | 'users';

/** The start page of each kind of user, linked from the account pages' navigation. */
function homeLink(req: AppRequest): { href: string; label: string } | null {
  const user = req.auth!.user;
  if (user.partnerId) return { href: '/partner/customers', label: 'Customers' };
  if (user.role === 'platform_admin') return { href: '/ops/queues', label: 'Queues' };
  return null;
}

export const errorList = (errors: FieldErrors) =>
  Object.entries(errors).map(([field, message]) => ({ field, message }));

export function options(values: readonly string[], selected: string | undefined, labels: Record<string, string>) {
  return values.map((value) => ({ value, label: labels[value] ?? value, selected: value === selected }));
}

/**
 * Renders My Profile and Company users pages inside the signed-in shell: navigation (Profile,
 * Security, Subscriptions, and Users for customer users), who is signed in, sign-out with CSRF.
 */
@Injectable()
export class AccountShell {
  constructor(
    private readonly pages: PageRenderer,
    private readonly csrf: CsrfService,
  ) {}

  send(req: AppRequest, res: Response, view: string, nav: AccountNav, data: PageData, status = 200): void {
    const user = req.auth!.user;
    this.pages.send(
      res,
      view,
      {
        ...data,
        wide: true,
        csrf: this.csrf.token(req, res),
        shell: {
          name: `${user.firstName} ${user.lastName}`.trim() || user.email,
          email: user.email,
          role: ROLE_LABELS[user.role] ?? user.role,
          account: {
            home: homeLink(req),
            company: Boolean(user.customerId),
            [nav]: true,
          },
        },
      },
      status,
    );
  }
}
