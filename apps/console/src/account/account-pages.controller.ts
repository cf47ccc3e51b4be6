import { Controller, Get, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { NotFoundProblem } from '@lmp/common';
import {
  AccountSettingsService,
  COUNTRIES,
  MfaService,
  ProfileView,
  SESSION_COOKIE,
  SessionService,
  SubscriptionService,
} from '@lmp/identity';
import { ChangePasswordDto } from './dto';
import { AllowDuringMfaSetup, mfaSetupPending, SignedInGuard } from '../http/guards';
import { AppRequest, meta } from '../http/request-context';
import { page, PageCookies, PageResult, redirect } from '../web/page-result';
import { parseProfile, PASSWORD_FORM, passwordErrors, serviceProfileErrors } from './account-forms';
import { twoFactorSection } from './two-factor/mfa-presenters';
import { sessionRow } from './presenters';
import { queryText, urlWith } from '../web/format';
import { checked, errorList, FieldErrors, parseForm } from '../web/forms';
import { ConsolePageFilter } from '../web/page-filter';

type QueryParams = Record<string, unknown>;

/** The id of a session as the sessions list shows it (as the API's DELETE checks it). */
const SESSION_ID = /^[0-9a-f]{64}$/;

/** Confirmations after a form post (POST-redirect-GET): fixed texts, chosen by `?done=`. */
const DONE: Record<string, string> = {
  'profile-saved': 'Your profile is saved.',
  'password-changed': 'Your password is changed. Every other device was signed out; this one stays signed in.',
  'session-ended': 'That device is signed out.',
  'others-ended': 'Every other device is signed out.',
  'subscriptions-saved': 'Your email preferences are saved.',
  'mfa-on': 'Two-factor authentication is on. Keep your recovery codes somewhere safe.',
  'method-added': 'The new two-factor method is set up.',
  'default-changed': 'Your default two-factor method is changed.',
  'method-removed': 'The two-factor method is removed.',
  'codes-created': 'Your new recovery codes are ready; the previous ones no longer work.',
  'mfa-off': 'Two-factor authentication is off. Every other device was signed out, and we emailed you to confirm.',
};

/**
 * My Profile (profile, password and sessions, email subscriptions) for every signed-in user.
 * Each route calls the service the JSON API calls; forms post back here with a CSRF token and
 * are checked with the API's DTO classes.
 */
@Controller()
@UseGuards(SignedInGuard)
@UseFilters(ConsolePageFilter)
export class AccountPagesController {
  constructor(
    private readonly settings: AccountSettingsService,
    private readonly sessions: SessionService,
    private readonly subscriptions: SubscriptionService,
    private readonly mfa: MfaService,
  ) {}

  @Get('account')
  index(): PageResult {
    return redirect('/account/profile');
  }

  // ---- Profile ----

  @Get('account/profile')
  async profile(@Req() req: AppRequest, @Query() query: QueryParams): Promise<PageResult> {
    const p = await this.settings.getProfile(req.auth!.user.id);
    return profileForm(p, profileValues(p), {}, DONE[queryText(query.done, 40)]);
  }

  @Post('account/profile')
  async saveProfile(@Req() req: AppRequest): Promise<PageResult> {
    const user = req.auth!.user;
    const form = parseProfile(req.body);
    const again = async (errors: FieldErrors) =>
      profileForm(await this.settings.getProfile(user.id), form.values, errors, undefined, 400);
    if (!form.ok) return again(form.errors);
    try {
      await this.settings.updateProfile(user, form.value, meta(req));
    } catch (err) {
      const errors = serviceProfileErrors(err);
      if (!errors) throw err;
      return again(errors);
    }
    return redirect(urlWith('/account/profile', { done: 'profile-saved' }));
  }

  // ---- Security: password, two-factor authentication and sessions ----

  /** Reachable while the partner's policy holds its staff back until they set up 2FA (the page says so). */
  @Get('account/security')
  @AllowDuringMfaSetup()
  security(@Req() req: AppRequest, @Query() query: QueryParams): Promise<PageResult> {
    return this.securityPage(req, {}, DONE[queryText(query.done, 40)]);
  }

  @Post('account/security/password')
  async changePassword(@Req() req: AppRequest): Promise<PageResult> {
    const { user, session } = req.auth!;
    const form = parseForm(ChangePasswordDto, req.body, PASSWORD_FORM);
    if (!form.ok) return this.securityPage(req, form.errors, undefined, 400);
    let raw: string;
    try {
      raw = await this.settings.changePassword(user, session, form.value, meta(req));
    } catch (err) {
      const errors = passwordErrors(err);
      if (!errors) throw err;
      return this.securityPage(req, errors, undefined, 400);
    }
    // As the API does: every session ended, this browser continues under a fresh id.
    const cookies = new PageCookies().cookie(SESSION_COOKIE, raw, this.sessions.cookieOptions());
    return redirect(urlWith('/account/security', { done: 'password-changed' }), { cookies });
  }

  @Post('account/security/sessions/:sessionId/sign-out')
  async endSession(@Req() req: AppRequest, @Param('sessionId') sessionId: string): Promise<PageResult> {
    if (!SESSION_ID.test(sessionId)) throw new NotFoundProblem('session');
    await this.settings.revokeSession(req.auth!.user, sessionId, meta(req));
    return redirect(urlWith('/account/security', { done: 'session-ended' }));
  }

  @Post('account/security/sessions/sign-out-others')
  async endOtherSessions(@Req() req: AppRequest): Promise<PageResult> {
    const { user, session } = req.auth!;
    await this.settings.revokeOtherSessions(user, session.id, meta(req));
    return redirect(urlWith('/account/security', { done: 'others-ended' }));
  }

  // ---- Email subscriptions ----

  @Get('account/subscriptions')
  async subscriptionsPage(@Req() req: AppRequest, @Query() query: QueryParams): Promise<PageResult> {
    const prefs = await this.subscriptions.get(req.auth!.user.id);
    return page(
      'account/subscriptions',
      {
        title: 'Email subscriptions',
        notice: DONE[queryText(query.done, 40)],
        newsletter: prefs.newsletter,
        promotions: prefs.promotions,
      },
      { shell: 'subscriptions' },
    );
  }

  @Post('account/subscriptions')
  async saveSubscriptions(@Req() req: AppRequest): Promise<PageResult> {
    const prefs = { newsletter: checked(req.body, 'newsletter'), promotions: checked(req.body, 'promotions') };
    await this.subscriptions.set(req.auth!.user.id, prefs, 'account', req.ip ?? null);
    return redirect(urlWith('/account/subscriptions', { done: 'subscriptions-saved' }));
  }

  // ---- Rendering ----

  private async securityPage(req: AppRequest, errors: FieldErrors, notice?: string, status = 200): Promise<PageResult> {
    const { user, session } = req.auth!;
    // Staff held back by the partner's policy see only the 2FA set-up: nothing else would work yet.
    const setupRequired = mfaSetupPending(req.auth!);
    const [overview, list] = await Promise.all([
      this.mfa.overview(user.id),
      setupRequired ? null : this.settings.listSessions(user.id, session.id),
    ]);
    const sessions = (list?.items ?? []).map(sessionRow);
    return page(
      'account/security',
      {
        title: setupRequired ? 'Set up two-factor authentication' : 'Security',
        notice,
        banner: setupRequired
          ? {
              kind: 'warning',
              text: 'Your organisation requires two-factor authentication. Set up a method to continue.',
            }
          : undefined,
        setupRequired,
        errors,
        errorList: errorList(errors),
        mfa: twoFactorSection(overview),
        sessions,
        others: sessions.some((s) => !s.current),
      },
      { shell: 'security', status },
    );
  }
}

/** The Edit Profile form. */
function profileForm(
  profile: ProfileView,
  values: Record<string, string>,
  errors: FieldErrors,
  notice?: string,
  status = 200,
): PageResult {
  const country = (values.country ?? '').toUpperCase();
  return page(
    'account/profile',
    {
      title: 'My profile',
      notice,
      email: profile.email,
      emailVerified: profile.emailVerified,
      values,
      errors,
      errorList: errorList(errors),
      countries: [
        { value: '', label: 'Not set', selected: country === '' },
        ...COUNTRIES.map((c) => ({ value: c.code, label: c.name, selected: c.code === country })),
      ],
    },
    { shell: 'profile', status },
  );
}

function profileValues(p: ProfileView): Record<string, string> {
  return {
    userType: p.userType,
    firstName: p.firstName,
    lastName: p.lastName,
    phone: p.phone ?? '',
    country: p.location?.country ?? '',
    city: p.location?.city ?? '',
  };
}
