import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { NotFoundProblem, ReauthRequiredProblem } from '@lmp/common';
import { MfaMethodView, MfaService, ReauthService } from '@lmp/identity';
import { MfaCodeDto, MfaEmailDto, MfaPhoneDto, PasswordDto } from '../me/dto';
import { safeNext } from '../http/csrf';
import { AllowDuringMfaSetup, SignedInGuard } from '../http/guards';
import { IdPipe } from '../http/id.pipe';
import { AppRequest, meta } from '../http/request-context';
import { CODE_FORM, EMAIL_FORM, mfaRefusal, PASSWORD_ONLY_FORM, PHONE_FORM, Refusal } from './account/mfa-forms';
import { afterConfirm, CodeContext, Messages, MfaPages } from './account/mfa-pages';
import { codeHref, kindInfo, reauthHref, replaceId, setupHref } from './account/mfa-presenters';
import { sentTo } from './sign-in-mfa';
import { urlWith } from './partner/format';
import { parseForm } from './partner/forms';
import { ConsolePageFilter } from './partner/page-filter';

type Body = Record<string, unknown>;
type QueryParams = Record<string, unknown>;

/** The code form of a pending method: its kind and where its codes go, and the method it replaces. */
const codeContext = (method: MfaMethodView, from: Body | QueryParams): CodeContext => ({
  kind: kindInfo(method.kind).slug,
  to: sentTo(method.hint),
  replace: replaceId(from.replace),
});

const security = (done: string) => urlWith('/account/security', { done });

/**
 * A refusal the form shows (its messages and status, with Retry-After for a rate limit); the
 * error itself when the page cannot show it, for the error page.
 */
function refused(res: Response, err: unknown): Refusal {
  const refusal = mfaRefusal(err);
  if (!refusal) throw err;
  if (refusal.retryAfterSeconds) res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
  return refusal;
}

/**
 * My Profile → Security → Two-factor authentication: setting methods up (authenticator app, text
 * message, email) and confirming them with a code, the default, removal, recovery codes and
 * turning it off. Each route calls the MfaService method the JSON API calls; forms post back with
 * a CSRF token. Staff whose partner requires 2FA reach these pages before anything else. With 2FA
 * on, adding, confirming and making default a method first ask "confirm it's you" (sudo mode).
 */
@Controller('account/security/two-factor')
@UseGuards(SignedInGuard)
@AllowDuringMfaSetup()
@UseFilters(ConsolePageFilter)
export class MfaPagesController {
  constructor(
    private readonly view: MfaPages,
    private readonly mfa: MfaService,
    private readonly reauth: ReauthService,
  ) {}

  /**
   * With 2FA on, a change to sign-in methods needs a recent "confirm it's you": the set-up pages
   * ask for it first (the filter sends the browser there and back), so no form is filled in vain.
   */
  private requireRecent(req: AppRequest): void {
    this.reauth.requireRecent(req.auth!.user, req.auth!.session);
  }

  // ---- Confirm it's you ----

  /** The password, or a code from the authenticator app, again; then on to `next` (a path of this site). */
  @Get('confirm-identity')
  async reauthPage(@Req() req: AppRequest, @Res() res: Response, @Query() query: QueryParams) {
    this.view.reauth(req, res, safeNext(query.next, '/account/security'), await this.appMethodId(req));
  }

  @Post('confirm-identity')
  async confirmIdentity(@Req() req: AppRequest, @Res() res: Response) {
    const body = req.body as Body;
    const next = safeNext(body.next, '/account/security');
    const app = await this.appMethodId(req);
    const byCode = typeof body.methodId === 'string';
    const form = byCode ? parseForm(MfaCodeDto, body, CODE_FORM) : parseForm(PasswordDto, body, PASSWORD_ONLY_FORM);
    if (!form.ok) return this.view.reauth(req, res, next, app, { errors: form.errors }, 400);
    const input = byCode
      ? { methodId: body.methodId as string, code: (form.value as MfaCodeDto).code }
      : { password: (form.value as PasswordDto).password };
    try {
      // Five wrong ones in a row end the session: a 401, which the filter turns into the sign-in page.
      await this.mfa.reauthenticate(req.auth!.user, req.auth!.session, input, meta(req));
    } catch (err) {
      const r = refused(res, err);
      return this.view.reauth(req, res, next, app, r, r.status);
    }
    res.redirect(303, next);
  }

  /** The user's authenticator app, whose code the "confirm it's you" page also takes. */
  private async appMethodId(req: AppRequest): Promise<string | undefined> {
    return (await this.mfa.overview(req.auth!.user.id)).methods.find((m) => m.kind === 'totp')?.id;
  }

  // ---- Set-up ----

  @Get('app')
  appStart(@Req() req: AppRequest, @Res() res: Response, @Query() query: QueryParams) {
    this.requireRecent(req);
    this.view.setup(req, res, 'app', replaceId(query.replace), '');
  }

  /** A new pending authenticator-app method; its QR code and key are shown once, on this page. */
  @Post('app')
  async appSetup(@Req() req: AppRequest, @Res() res: Response) {
    const replace = replaceId((req.body as Body).replace);
    try {
      this.view.qr(req, res, await this.mfa.setupTotp(req.auth!.user, req.auth!.session), replace);
    } catch (err) {
      if (err instanceof ReauthRequiredProblem) return res.redirect(303, reauthHref(setupHref('app', replace)));
      const r = refused(res, err);
      this.view.setup(req, res, 'app', replace, '', r, r.status);
    }
  }

  @Get('sms')
  smsStart(@Req() req: AppRequest, @Res() res: Response, @Query() query: QueryParams) {
    this.requireRecent(req);
    this.view.setup(req, res, 'sms', replaceId(query.replace), req.auth!.user.phone ?? '');
  }

  @Post('sms')
  async smsSetup(@Req() req: AppRequest, @Res() res: Response) {
    const replace = replaceId((req.body as Body).replace);
    const form = parseForm(MfaPhoneDto, req.body, PHONE_FORM);
    const again = (m: Messages, status: number) =>
      this.view.setup(req, res, 'sms', replace, form.values.phone ?? '', m, status);
    if (!form.ok) return again({ errors: form.errors }, 400);
    try {
      const { methodId } = await this.mfa.setupSms(req.auth!.user, req.auth!.session, form.value.phone, meta(req));
      res.redirect(303, codeHref(methodId, { replace }));
    } catch (err) {
      if (err instanceof ReauthRequiredProblem) return res.redirect(303, reauthHref(setupHref('sms', replace)));
      const r = refused(res, err);
      again(r, r.status);
    }
  }

  @Get('email')
  emailStart(@Req() req: AppRequest, @Res() res: Response, @Query() query: QueryParams) {
    this.requireRecent(req);
    this.view.setup(req, res, 'email', replaceId(query.replace), req.auth!.user.email);
  }

  @Post('email')
  async emailSetup(@Req() req: AppRequest, @Res() res: Response) {
    const replace = replaceId((req.body as Body).replace);
    const form = parseForm(MfaEmailDto, req.body, EMAIL_FORM);
    const again = (m: Messages, status: number) =>
      this.view.setup(req, res, 'email', replace, form.values.email ?? '', m, status);
    if (!form.ok) return again({ errors: form.errors }, 400);
    try {
      const { methodId } = await this.mfa.setupEmail(req.auth!.user, req.auth!.session, form.value.email, meta(req));
      res.redirect(303, codeHref(methodId, { replace }));
    } catch (err) {
      if (err instanceof ReauthRequiredProblem) return res.redirect(303, reauthHref(setupHref('email', replace)));
      const r = refused(res, err);
      again(r, r.status);
    }
  }

  /** The code step of a text-message or email set-up (after the code was sent). */
  @Get(':methodId/code')
  async codePage(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Param('methodId', IdPipe) methodId: string,
    @Query() query: QueryParams,
  ) {
    this.requireRecent(req);
    const ctx = codeContext(await this.mfa.method(req.auth!.user.id, methodId), query);
    const notice = query.sent === '1' ? `A new code is on its way${ctx.to ? ` to ${ctx.to}` : ''}.` : undefined;
    this.view.code(req, res, methodId, ctx, { notice });
  }

  /** Confirms a pending method. The first one turns 2FA on and shows the recovery codes, once. */
  @Post(':methodId/confirm')
  async confirm(@Req() req: AppRequest, @Res() res: Response, @Param('methodId', IdPipe) methodId: string) {
    const ctx = codeContext(await this.mfa.method(req.auth!.user.id, methodId), req.body as Body);
    const form = parseForm(MfaCodeDto, req.body, CODE_FORM);
    if (!form.ok) return this.view.code(req, res, methodId, ctx, { errors: form.errors }, 400);
    let confirmed: Awaited<ReturnType<MfaService['confirm']>>;
    try {
      const { user, session } = req.auth!;
      confirmed = await this.mfa.confirm(user, session, methodId, form.value.code, meta(req), ctx.replace);
    } catch (err) {
      // The window closed while the code was on its way: confirm it's you, then back to this code.
      if (err instanceof ReauthRequiredProblem)
        return res.redirect(303, reauthHref(codeHref(methodId, { replace: ctx.replace })));
      const r = refused(res, err);
      return this.view.code(req, res, methodId, ctx, r, r.status);
    }
    if (confirmed.recoveryCodes) return this.view.recoveryCodes(req, res, confirmed.recoveryCodes, true);
    res.redirect(303, afterConfirm(methodId, ctx.replace));
  }

  /** A new code for a pending text-message or email method; the previous one stops working. */
  @Post(':methodId/resend')
  async resend(@Req() req: AppRequest, @Res() res: Response, @Param('methodId', IdPipe) methodId: string) {
    const ctx = codeContext(await this.mfa.method(req.auth!.user.id, methodId), req.body as Body);
    try {
      await this.mfa.resendSetupCode(req.auth!.user, methodId, meta(req));
    } catch (err) {
      const r = refused(res, err);
      return this.view.code(req, res, methodId, ctx, r, r.status);
    }
    res.redirect(303, codeHref(methodId, { replace: ctx.replace, sent: 1 }));
  }

  // ---- Confirmed methods ----

  @Post(':methodId/default')
  async setDefault(@Req() req: AppRequest, @Res() res: Response, @Param('methodId', IdPipe) methodId: string) {
    await this.mfa.setDefault(req.auth!.user, req.auth!.session, methodId, meta(req));
    res.redirect(303, security('default-changed'));
  }

  @Get(':methodId/remove')
  async confirmRemove(
    @Req() req: AppRequest,
    @Res() res: Response,
    @Param('methodId', IdPipe) methodId: string,
    @Query() query: QueryParams,
  ) {
    const method = await this.confirmedMethod(req, methodId);
    this.view.confirmRemove(req, res, method, query.added === '1');
  }

  /** Removes a method after checking the password; the last one stays (the service says why). */
  @Post(':methodId/remove')
  async remove(@Req() req: AppRequest, @Res() res: Response, @Param('methodId', IdPipe) methodId: string) {
    const form = parseForm(PasswordDto, req.body, PASSWORD_ONLY_FORM);
    const again = async (m: Messages, status: number) =>
      this.view.confirmRemove(req, res, await this.confirmedMethod(req, methodId), false, m, status);
    if (!form.ok) return again({ errors: form.errors }, 400);
    try {
      await this.mfa.remove(req.auth!.user, req.auth!.session, methodId, form.value.password, meta(req));
    } catch (err) {
      const r = refused(res, err);
      return again(r, r.status);
    }
    res.redirect(303, security('method-removed'));
  }

  // ---- Recovery codes and turning off ----

  @Get('recovery-codes')
  recoveryCodesConfirm(@Req() req: AppRequest, @Res() res: Response) {
    this.view.confirmRecoveryCodes(req, res);
  }

  /** New recovery codes after the password; shown once, on this response. */
  @Post('recovery-codes')
  async regenerate(@Req() req: AppRequest, @Res() res: Response) {
    const form = parseForm(PasswordDto, req.body, PASSWORD_ONLY_FORM);
    if (!form.ok) return this.view.confirmRecoveryCodes(req, res, { errors: form.errors }, 400);
    try {
      const { recoveryCodes } = await this.mfa.regenerateRecoveryCodes(
        req.auth!.user,
        req.auth!.session,
        form.value.password,
        meta(req),
      );
      this.view.recoveryCodes(req, res, recoveryCodes, false);
    } catch (err) {
      const r = refused(res, err);
      this.view.confirmRecoveryCodes(req, res, r, r.status);
    }
  }

  @Get('turn-off')
  turnOffConfirm(@Req() req: AppRequest, @Res() res: Response) {
    this.view.confirmTurnOff(req, res);
  }

  /** Turns 2FA off after the password; refused (409) while the partner requires it of its staff. */
  @Post('turn-off')
  async turnOff(@Req() req: AppRequest, @Res() res: Response) {
    const form = parseForm(PasswordDto, req.body, PASSWORD_ONLY_FORM);
    if (!form.ok) return this.view.confirmTurnOff(req, res, { errors: form.errors }, 400);
    const { user, session } = req.auth!;
    try {
      await this.mfa.disable(user, session, form.value.password, meta(req));
    } catch (err) {
      const r = refused(res, err);
      return this.view.confirmTurnOff(req, res, r, r.status);
    }
    res.redirect(303, security('mfa-off'));
  }

  /** One of the user's confirmed methods, for the removal page; 404 for any other id. */
  private async confirmedMethod(req: AppRequest, methodId: string) {
    const method = await this.mfa.method(req.auth!.user.id, methodId);
    if (!method.confirmed) throw new NotFoundProblem('two-factor method');
    return method;
  }
}
