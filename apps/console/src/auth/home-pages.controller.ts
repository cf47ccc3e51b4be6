import { Controller, Get, Post, Query, Req, UseFilters } from '@nestjs/common';
import { BackgroundTasks } from '@lmp/common';
import { EmailVerificationService } from '@lmp/identity';
import { LicenseOverviewService } from '@lmp/tenancy';
import { AppRequest, meta } from '../http/request-context';
import { dateOnly } from '../web/format';
import { PageErrorFilter } from '../web/page-error.filter';
import { page, PageResult, redirect } from '../web/page-result';
import { NOTICES } from './sign-in-pages';

/** The start page: where each kind of user begins after signing in. */
@Controller()
@UseFilters(PageErrorFilter)
export class HomePagesController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly background: BackgroundTasks,
    private readonly licenses: LicenseOverviewService,
  ) {}

  /** Partner staff start in their customer list, operators at the queues, everyone else here. */
  @Get()
  async home(@Req() req: AppRequest, @Query('notice') notice?: string): Promise<PageResult> {
    if (!req.auth) return redirect('/login');
    const u = req.auth.user;
    if (u.partnerId) return redirect('/partner/customers');
    if (u.role === 'platform_admin') return redirect('/ops/queues');
    const unverified = u.emailVerifiedAt === null;
    // A company's users see what it holds at a glance: licenses in use and the next expiry.
    const summary = u.customerId ? (await this.licenses.listForCompany({ customerId: u.customerId })).summary : null;
    return page(
      'auth/home',
      {
        title: 'Welcome',
        user: {
          name: `${u.firstName} ${u.lastName}`.trim() || u.email,
          email: u.email,
          role: u.role.replace('_', ' '),
        },
        signedIn: true,
        licenses: summary
          ? {
              ...summary,
              next: summary.nextExpiry ? { ...summary.nextExpiry, on: dateOnly(summary.nextExpiry.expiresAt) } : null,
            }
          : null,
        notice: notice ? NOTICES[notice] : undefined,
        banner: unverified
          ? {
              kind: 'warning',
              text: 'Your email address is not verified.',
              action: { url: '/verify-email/resend', label: 'Resend verification email' },
            }
          : undefined,
      },
      { csrf: true },
    );
  }

  /** The banner's button: a new verification link for the signed-in user. */
  @Post('verify-email/resend')
  resendVerification(@Req() req: AppRequest): PageResult {
    if (!req.auth) return redirect('/login');
    const email = req.auth.user.email;
    this.background.run('resend-verification', () => this.verification.resend(email, meta(req)));
    return redirect('/?notice=verification-sent');
  }
}
