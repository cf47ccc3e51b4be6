import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { NotFoundProblem } from '@lmp/common';
import { CUSTOMER_ROLES } from '@lmp/database';
import {
  AccountSettingsService,
  COUNTRIES,
  EmailChangeService,
  MfaService,
  ProfileView,
  SESSION_COOKIE,
  SessionService,
  SubscriptionService,
} from '@lmp/identity';
import { CompanyActor, CompanyUsersService } from '@lmp/tenancy';
import { Company } from '../company/company-actor';
import { AddCompanyUserDto, ChangeRoleDto } from '../company/dto';
import { ChangeEmailDto, ChangePasswordDto } from '../me/dto';
import { AllowDuringMfaSetup, mfaSetupPending, Roles, SignedInGuard } from '../http/guards';
import { IdPipe } from '../http/id.pipe';
import { AppRequest, meta } from '../http/request-context';
import { PageData } from '../page-renderer';
import { AccountShell, errorList, options } from './account/account-shell';
import {
  checked,
  conflictMessage,
  parseProfile,
  PASSWORD_FORM,
  passwordErrors,
  serviceProfileErrors,
} from './account/account-forms';
import {
  EMAIL_CHANGE_FORM,
  EMAIL_CHANGE_PATH,
  emailChangePage,
  EmailChangeRefusal,
  emailChangeRefusal,
} from './account/email-change';
import { twoFactorSection } from './account/mfa-presenters';
import { companyUserPath, companyUserRow, sessionRow } from './account/presenters';
import { invitedEmail, queryText, ROLE_LABELS, urlWith } from './partner/format';
import { attempt, FieldErrors, parseForm } from './partner/forms';
import { ACCOUNT_FORM } from './partner/form-specs';
import { ConsolePageFilter } from './partner/page-filter';

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
  'role-changed': 'Role changed.',
  'user-removed': 'User removed.',
  'mfa-on': 'Two-factor authentication is on. Keep your recovery codes somewhere safe.',
  'method-added': 'The new two-factor method is set up.',
  'default-changed': 'Your default two-factor method is changed.',
  'method-removed': 'The two-factor method is removed.',
  'codes-created': 'Your new recovery codes are ready; the previous ones no longer work.',
  'mfa-off': 'Two-factor authentication is off. Every other device was signed out, and we emailed you to confirm.',
};

const ROLE_FORM = { fields: { role: 'Choose Full Access or Read Only.' } };

/**
 * My Profile (profile, password and sessions, email subscriptions) for every signed-in user, and
 * the Users page of a customer company. Each route calls the service the JSON API calls; forms
 * post back here with a CSRF token and are checked with the API's DTO classes.
 */
@Controller()
@UseGuards(SignedInGuard)
@UseFilters(ConsolePageFilter)
export class AccountPagesController {
  constructor(
    private readonly shell: AccountShell,
    private readonly settings: AccountSettingsService,
    private readonly sessions: SessionService,
    private readonly subscriptions: SubscriptionService,
    private readonly companyUsers: CompanyUsersService,
    private readonly mfa: MfaService,
    private readonly emailChange: EmailChangeService,
  ) {}

  @Get('account')
  index(@Res() res: Response) {
    res.redirect(303, '/account/profile');
  }

  // ---- Profile ----

  @Get('account/profile')
  async profile(@Req() req: AppRequest, @Res() res: Response, @Query() query: QueryParams) {
    const p = await this.settings.getProfile(req.auth!.user.id);
    this.profileForm(req, res, p, profileValues(p), {}, DONE[queryText(query.done, 40)]);
  }

  @Post('account/profile')
  async saveProfile(@Req() req: AppRequest, @Res() res: Response) {
    const user = req.auth!.user;
    const form = parseProfile(req.body);
    const again = async (errors: FieldErrors) =>
      this.profileForm(req, res, await this.settings.getProfile(user.id), form.values, errors, undefined, 400);
    if (!form.ok) return again(form.errors);
    try {
      await this.settings.updateProfile(user, form.value, meta(req));
    } catch (err) {
      const errors = serviceProfileErrors(err);
      if (!errors) throw err;
      return again(errors);
    }
    res.redirect(303, urlWith('/account/profile', { done: 'profile-saved' }));
  }

  @Get('account/profile/email')
  emailForm(@Req() req: AppRequest, @Res() res: Response, @Query() query: QueryParams) {
    this.shell.send(req, res, 'account/change-email', 'profile', emailChangePage(req.auth!.user.email, query));
  }

  /** A link goes to the new address (the service's rules); the page then says where it went. */
  @Post('account/profile/email')
  async changeEmail(@Req() req: AppRequest, @Res() res: Response) {
    const { user, session } = req.auth!;
    const form = parseForm(ChangeEmailDto, req.body, EMAIL_CHANGE_FORM);
    const again = (r: EmailChangeRefusal) => {
      if (r.retryAfterSeconds) res.setHeader('Retry-After', String(r.retryAfterSeconds));
      const data = emailChangePage(user.email, {}, form.values, r);
      this.shell.send(req, res, 'account/change-email', 'profile', data, r.status);
    };
    if (!form.ok) return again({ status: 400, errors: form.errors });
    try {
      await this.emailChange.request(user, session, form.value, meta(req));
    } catch (err) {
      const refusal = emailChangeRefusal(err);
      if (!refusal) throw err;
      return again(refusal);
    }
    res.redirect(303, urlWith(EMAIL_CHANGE_PATH, { sent: form.value.newEmail }));
  }

  // ---- Security: password, two-factor authentication and sessions ----

  /** Reachable while the partner's policy holds its staff back until they set up 2FA (the page says so). */
  @Get('account/security')
  @AllowDuringMfaSetup()
  async security(@Req() req: AppRequest, @Res() res: Response, @Query() query: QueryParams) {
    await this.securityPage(req, res, {}, DONE[queryText(query.done, 40)]);
  }

  @Post('account/security/password')
  async changePassword(@Req() req: AppRequest, @Res() res: Response) {
    const { user, session } = req.auth!;
    const form = parseForm(ChangePasswordDto, req.body, PASSWORD_FORM);
    if (!form.ok) return this.securityPage(req, res, form.errors, undefined, 400);
    let raw: string;
    try {
      raw = await this.settings.changePassword(user, session, form.value, meta(req));
    } catch (err) {
      const errors = passwordErrors(err);
      if (!errors) throw err;
      return this.securityPage(req, res, errors, undefined, 400);
    }
    // As the API does: every session ended, this browser continues under a fresh id.
    res.cookie(SESSION_COOKIE, raw, this.sessions.cookieOptions());
    res.redirect(303, urlWith('/account/security', { done: 'password-changed' }));
  }

  @Post('account/security/sessions/:sessionId/sign-out')
  async endSession(@Req() req: AppRequest, @Res() res: Response, @Param('sessionId') sessionId: string) {
    if (!SESSION_ID.test(sessionId)) throw new NotFoundProblem('session');
    await this.settings.revokeSession(req.auth!.user, sessionId, meta(req));
    res.redirect(303, urlWith('/account/security', { done: 'session-ended' }));
  }

  @Post('account/security/sessions/sign-out-others')
  async endOtherSessions(@Req() req: AppRequest, @Res() res: Response) {
    const { user, session } = req.auth!;
    await this.settings.revokeOtherSessions(user, session.id, meta(req));
    res.redirect(303, urlWith('/account/security', { done: 'others-ended' }));
  }

  // ---- Email subscriptions ----

  @Get('account/subscriptions')
  async subscriptionsPage(@Req() req: AppRequest, @Res() res: Response, @Query() query: QueryParams) {
    const prefs = await this.subscriptions.get(req.auth!.user.id);
    this.shell.send(req, res, 'account/subscriptions', 'subscriptions', {
      title: 'Email subscriptions',
      notice: DONE[queryText(query.done, 40)],
      newsletter: prefs.newsletter,
      promotions: prefs.promotions,
    });
  }

  @Post('account/subscriptions')
  async saveSubscriptions(@Req() req: AppRequest, @Res() res: Response) {
    const prefs = { newsletter: checked(req.body, 'newsletter'), promotions: checked(req.body, 'promotions') };
    await this.subscriptions.set(req.auth!.user.id, prefs, 'account', req.ip ?? null);
    res.redirect(303, urlWith('/account/subscriptions', { done: 'subscriptions-saved' }));
  }

  // ---- Company users ----

  @Get('company/users')
  @Roles('full_access', 'read_only')
  async users(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Company() actor: CompanyActor,
    @Query() query: QueryParams,
  ) {
    const invited = invitedEmail(query.invited);
    const notice = invited
      ? `User added. An invitation to set a password was emailed to ${invited}.`
      : DONE[queryText(query.done, 40)];
    await this.usersPage(req, res, actor, { role: 'read_only' }, {}, { notice });
  }

  @Post('company/users')
  @Roles('full_access')
  async addUser(@Req() req: AppRequest, @Res() res: Response, @Company() actor: CompanyActor) {
    const form = parseForm(AddCompanyUserDto, req.body, ACCOUNT_FORM);
    if (!form.ok) return this.usersPage(req, res, actor, form.values, form.errors, {}, 400);
    const created = await attempt(ACCOUNT_FORM, () => this.companyUsers.add(actor, form.value));
    if ('errors' in created) return this.usersPage(req, res, actor, form.values, created.errors, {}, 409);
    // The same answer whether or not the address had an account in another tenant.
    res.redirect(303, urlWith('/company/users', { invited: created.value.email }));
  }

  @Post('company/users/:userId/role')
  @Roles('full_access')
  async changeRole(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Company() actor: CompanyActor,
    @Param('userId', IdPipe) userId: string,
  ) {
    const form = parseForm(ChangeRoleDto, req.body, ROLE_FORM);
    if (!form.ok) return this.usersPage(req, res, actor, { role: 'read_only' }, {}, { error: form.errors.role }, 400);
    try {
      await this.companyUsers.changeRole(actor, userId, form.value.role);
    } catch (err) {
      const error = conflictMessage(err);
      if (!error) throw err;
      return this.usersPage(req, res, actor, { role: 'read_only' }, {}, { error }, 409);
    }
    res.redirect(303, urlWith('/company/users', { done: 'role-changed' }));
  }

  /** The confirmation step before a removal: what will happen, with Remove (a form) and Cancel. */
  @Get('company/users/:userId/remove')
  @Roles('full_access')
  async confirmRemove(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Company() actor: CompanyActor,
    @Param('userId', IdPipe) userId: string,
  ) {
    const { items } = await this.companyUsers.list(actor);
    const user = items.find((u) => u.id === userId);
    if (!user) throw new NotFoundProblem('user');
    const row = companyUserRow(user, actor.userId);
    this.shell.send(req, res, 'company/remove-confirm', 'users', {
      title: `Remove ${row.name}`,
      user: row,
      action: `${companyUserPath(userId)}/remove`,
      cancelHref: '/company/users',
    });
  }

  @Post('company/users/:userId/remove')
  @Roles('full_access')
  async remove(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Company() actor: CompanyActor,
    @Param('userId', IdPipe) userId: string,
  ) {
    try {
      await this.companyUsers.remove(actor, userId);
    } catch (err) {
      const error = conflictMessage(err);
      if (!error) throw err;
      return this.usersPage(req, res, actor, { role: 'read_only' }, {}, { error }, 409);
    }
    // Removing oneself ends this session too; the next page is then the sign-in page.
    res.redirect(303, urlWith('/company/users', { done: 'user-removed' }));
  }

  // ---- Rendering ----

  private profileForm(
    req: AppRequest,
    res: Response,
    profile: ProfileView,
    values: Record<string, string>,
    errors: FieldErrors,
    notice?: string,
    status = 200,
  ) {
    const country = (values.country ?? '').toUpperCase();
    this.shell.send(
      req,
      res,
      'account/profile',
      'profile',
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
      status,
    );
  }

  private async securityPage(req: AppRequest, res: Response, errors: FieldErrors, notice?: string, status = 200) {
    const { user, session } = req.auth!;
    // Staff held back by the partner's policy see only the 2FA set-up: nothing else would work yet.
    const setupRequired = mfaSetupPending(req.auth!);
    const [overview, list] = await Promise.all([
      this.mfa.overview(user.id),
      setupRequired ? null : this.settings.listSessions(user.id, session.id),
    ]);
    const sessions = (list?.items ?? []).map(sessionRow);
    this.shell.send(
      req,
      res,
      'account/security',
      'security',
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
      status,
    );
  }

  private async usersPage(
    req: AppRequest,
    res: Response,
    actor: CompanyActor,
    values: Record<string, string>,
    errors: FieldErrors,
    messages: { notice?: string; error?: string },
    status = 200,
  ) {
    const list = await this.companyUsers.list(actor);
    const data: PageData = {
      title: 'Users',
      ...messages,
      canManage: actor.role === 'full_access',
      users: list.items.map((u) => companyUserRow(u, actor.userId)),
      values,
      errors,
      errorList: errorList(errors),
      roles: options(CUSTOMER_ROLES, values.role, ROLE_LABELS),
    };
    this.shell.send(req, res, 'company/users', 'users', data, status);
  }
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
