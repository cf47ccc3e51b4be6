import { Controller, Get, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { NotFoundProblem, ReauthRequiredProblem } from '@lmp/common';
import { MfaMethodView, MfaService, MfaSetupService, ReauthService } from '@lmp/identity';
import { MfaCodeDto, MfaEmailDto, MfaPhoneDto, PasswordDto } from '../dto';
import { AllowDuringMfaSetup, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { AppRequest, meta } from '../../http/request-context';
import { CODE_FORM, EMAIL_FORM, PASSWORD_ONLY_FORM, PHONE_FORM, refused } from './mfa-forms';
import {
  afterConfirm,
  CodeContext,
  codePage,
  confirmRemovePage,
  Messages,
  qrPage,
  recoveryCodesShown,
  security,
  setupPage,
} from './mfa-pages';
import { codeHref, kindInfo, reauthHref, replaceId, setupHref } from './mfa-presenters';
import { sentTo } from '../../auth/sign-in-mfa';
import { parseForm } from '../../web/forms';
import { ConsolePageFilter } from '../../web/page-filter';
import { redirect } from '../../web/page-result';

type Body = Record<string, unknown>;
type QueryParams = Record<string, unknown>;

/** The code form of a pending method: its kind and where its codes go, and the method it replaces. */
const codeContext = (method: MfaMethodView, from: Body | QueryParams): CodeContext => ({
  kind: kindInfo(method.kind).slug,
  to: sentTo(method.hint),
  replace: replaceId(from.replace),
});

/**
 * My Profile → Security → Two-factor authentication: setting methods up (authenticator app, text
 * message, email) and confirming them with a code, the default and removal. Each route calls the service method the JSON API calls; forms post back with
 * a CSRF token. Staff whose partner requires 2FA reach these pages before anything else. With 2FA
 * on, adding, confirming and making default a method first ask "confirm it's you" (sudo mode).
 */
@Controller('account/security/two-factor')
@UseGuards(SignedInGuard)
@AllowDuringMfaSetup()
@UseFilters(ConsolePageFilter)
export class MfaPagesController {
  constructor(
    private readonly mfa: MfaService,
    private readonly mfaSetup: MfaSetupService,
    private readonly reauth: ReauthService,
  ) {}

  /**
   * With 2FA on, a change to sign-in methods needs a recent "confirm it's you": the set-up pages
   * ask for it first (the filter sends the browser there and back), so no form is filled in vain.
   */
  private requireRecent(req: AppRequest): void {
    this.reauth.requireRecent(req.auth!.user, req.auth!.session);
  }

  // ---- Set-up ----

  @Get('app')
  appStart(@Req() req: AppRequest, @Query() query: QueryParams) {
    this.requireRecent(req);
    return setupPage('app', replaceId(query.replace), '');
  }

  /** A new pending authenticator-app method; its QR code and key are shown once, on this page. */
  @Post('app')
  async appSetup(@Req() req: AppRequest) {
    const replace = replaceId((req.body as Body).replace);
    try {
      return qrPage(await this.mfaSetup.setupTotp(req.auth!.user, req.auth!.session), replace);
    } catch (err) {
      if (err instanceof ReauthRequiredProblem) return redirect(reauthHref(setupHref('app', replace)));
      const r = refused(err);
      return setupPage('app', replace, '', r, r.status);
    }
  }

  @Get('sms')
  smsStart(@Req() req: AppRequest, @Query() query: QueryParams) {
    this.requireRecent(req);
    return setupPage('sms', replaceId(query.replace), req.auth!.user.phone ?? '');
  }

  @Post('sms')
  async smsSetup(@Req() req: AppRequest) {
    const replace = replaceId((req.body as Body).replace);
    const form = parseForm(MfaPhoneDto, req.body, PHONE_FORM);
    const again = (m: Messages, status: number) => setupPage('sms', replace, form.values.phone ?? '', m, status);
    if (!form.ok) return again({ errors: form.errors }, 400);
    try {
      const { methodId } = await this.mfaSetup.setupSms(req.auth!.user, req.auth!.session, form.value.phone, meta(req));
      return redirect(codeHref(methodId, { replace }));
    } catch (err) {
      if (err instanceof ReauthRequiredProblem) return redirect(reauthHref(setupHref('sms', replace)));
      const r = refused(err);
      return again(r, r.status);
    }
  }

  @Get('email')
  emailStart(@Req() req: AppRequest, @Query() query: QueryParams) {
    this.requireRecent(req);
    return setupPage('email', replaceId(query.replace), req.auth!.user.email);
  }

  @Post('email')
  async emailSetup(@Req() req: AppRequest) {
    const replace = replaceId((req.body as Body).replace);
    const form = parseForm(MfaEmailDto, req.body, EMAIL_FORM);
    const again = (m: Messages, status: number) => setupPage('email', replace, form.values.email ?? '', m, status);
    if (!form.ok) return again({ errors: form.errors }, 400);
    try {
      const { methodId } = await this.mfaSetup.setupEmail(
        req.auth!.user,
        req.auth!.session,
        form.value.email,
        meta(req),
      );
      return redirect(codeHref(methodId, { replace }));
    } catch (err) {
      if (err instanceof ReauthRequiredProblem) return redirect(reauthHref(setupHref('email', replace)));
      const r = refused(err);
      return again(r, r.status);
    }
  }

  /** The code step of a text-message or email set-up (after the code was sent). */
  @Get(':methodId/code')
  async codeStep(@Req() req: AppRequest, @Param('methodId', IdPipe) methodId: string, @Query() query: QueryParams) {
    this.requireRecent(req);
    const ctx = codeContext(await this.mfa.method(req.auth!.user.id, methodId), query);
    const notice = query.sent === '1' ? `A new code is on its way${ctx.to ? ` to ${ctx.to}` : ''}.` : undefined;
    return codePage(methodId, ctx, { notice });
  }

  /** Confirms a pending method. The first one turns 2FA on and shows the recovery codes, once. */
  @Post(':methodId/confirm')
  async confirm(@Req() req: AppRequest, @Param('methodId', IdPipe) methodId: string) {
    const ctx = codeContext(await this.mfa.method(req.auth!.user.id, methodId), req.body as Body);
    const form = parseForm(MfaCodeDto, req.body, CODE_FORM);
    if (!form.ok) return codePage(methodId, ctx, { errors: form.errors }, 400);
    let confirmed: Awaited<ReturnType<MfaSetupService['confirm']>>;
    try {
      const { user, session } = req.auth!;
      confirmed = await this.mfaSetup.confirm(user, session, methodId, form.value.code, meta(req), ctx.replace);
    } catch (err) {
      // The window closed while the code was on its way: confirm it's you, then back to this code.
      if (err instanceof ReauthRequiredProblem)
        return redirect(reauthHref(codeHref(methodId, { replace: ctx.replace })));
      const r = refused(err);
      return codePage(methodId, ctx, r, r.status);
    }
    if (confirmed.recoveryCodes) return recoveryCodesShown(confirmed.recoveryCodes, req.auth!.user.email, true);
    return redirect(afterConfirm(methodId, ctx.replace));
  }

  /** A new code for a pending text-message or email method; the previous one stops working. */
  @Post(':methodId/resend')
  async resend(@Req() req: AppRequest, @Param('methodId', IdPipe) methodId: string) {
    const ctx = codeContext(await this.mfa.method(req.auth!.user.id, methodId), req.body as Body);
    try {
      await this.mfaSetup.resendSetupCode(req.auth!.user, methodId, meta(req));
    } catch (err) {
      const r = refused(err);
      return codePage(methodId, ctx, r, r.status);
    }
    return redirect(codeHref(methodId, { replace: ctx.replace, sent: 1 }));
  }

  // ---- Confirmed methods ----

  @Post(':methodId/default')
  async setDefault(@Req() req: AppRequest, @Param('methodId', IdPipe) methodId: string) {
    await this.mfa.setDefault(req.auth!.user, req.auth!.session, methodId, meta(req));
    return redirect(security('default-changed'));
  }

  @Get(':methodId/remove')
  async confirmRemove(
    @Req() req: AppRequest,
    @Param('methodId', IdPipe) methodId: string,
    @Query() query: QueryParams,
  ) {
    const method = await this.confirmedMethod(req, methodId);
    return confirmRemovePage(method, query.added === '1');
  }

  /** Removes a method after checking the password; the last one stays (the service says why). */
  @Post(':methodId/remove')
  async remove(@Req() req: AppRequest, @Param('methodId', IdPipe) methodId: string) {
    const form = parseForm(PasswordDto, req.body, PASSWORD_ONLY_FORM);
    const again = async (m: Messages, status: number) =>
      confirmRemovePage(await this.confirmedMethod(req, methodId), false, m, status);
    if (!form.ok) return again({ errors: form.errors }, 400);
    try {
      await this.mfa.remove(req.auth!.user, req.auth!.session, methodId, form.value.password, meta(req));
    } catch (err) {
      const r = refused(err);
      return again(r, r.status);
    }
    return redirect(security('method-removed'));
  }

  /** One of the user's confirmed methods, for the removal page; 404 for any other id. */
  private async confirmedMethod(req: AppRequest, methodId: string) {
    const method = await this.mfa.method(req.auth!.user.id, methodId);
    if (!method.confirmed) throw new NotFoundProblem('two-factor method');
    return method;
  }
}
