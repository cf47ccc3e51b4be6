import { Controller, Get, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { MfaService } from '@lmp/identity';
import { safeNext } from '../../http/csrf';
import { AllowDuringMfaSetup, SignedInGuard } from '../../http/guards';
import { AppRequest, meta } from '../../http/request-context';
import { parseForm } from '../../web/forms';
import { ConsolePageFilter } from '../../web/page-filter';
import { PageResult, redirect } from '../../web/page-result';
import { MfaCodeDto, PasswordDto } from '../dto';
import { CODE_FORM, PASSWORD_ONLY_FORM, refused } from './mfa-forms';
import { confirmRecoveryCodesPage, confirmTurnOffPage, reauthPage, recoveryCodesShown, security } from './mfa-pages';

type Body = Record<string, unknown>;
type QueryParams = Record<string, unknown>;

/**
 * My Profile → Security → Two-factor authentication, the steps that need the password (or an
 * app code) again: "confirm it's you" before a change to sign-in methods, new recovery codes,
 * and turning two-factor authentication off.
 */
@Controller('account/security/two-factor')
@UseGuards(SignedInGuard)
@AllowDuringMfaSetup()
@UseFilters(ConsolePageFilter)
export class MfaAccountPagesController {
  constructor(private readonly mfa: MfaService) {}

  // ---- Confirm it's you ----

  /** The password, or a code from the authenticator app, again; then on to `next` (a path of this site). */
  @Get('confirm-identity')
  async confirmIdentityForm(@Req() req: AppRequest, @Query() query: QueryParams) {
    return reauthPage(safeNext(query.next, '/account/security'), await this.appMethodId(req));
  }

  @Post('confirm-identity')
  async confirmIdentity(@Req() req: AppRequest) {
    const body = req.body as Body;
    const next = safeNext(body.next, '/account/security');
    const app = await this.appMethodId(req);
    const byCode = typeof body.methodId === 'string';
    const form = byCode ? parseForm(MfaCodeDto, body, CODE_FORM) : parseForm(PasswordDto, body, PASSWORD_ONLY_FORM);
    if (!form.ok) return reauthPage(next, app, { errors: form.errors }, 400);
    const input = byCode
      ? { methodId: body.methodId as string, code: (form.value as MfaCodeDto).code }
      : { password: (form.value as PasswordDto).password };
    try {
      // Five wrong ones in a row end the session: a 401, which the filter turns into the sign-in page.
      await this.mfa.reauthenticate(req.auth!.user, req.auth!.session, input, meta(req));
    } catch (err) {
      const r = refused(err);
      return reauthPage(next, app, r, r.status);
    }
    return redirect(next);
  }

  /** The user's authenticator app, whose code the "confirm it's you" page also takes. */
  private async appMethodId(req: AppRequest): Promise<string | undefined> {
    return (await this.mfa.overview(req.auth!.user.id)).methods.find((m) => m.kind === 'totp')?.id;
  }

  // ---- Recovery codes and turning off ----

  @Get('recovery-codes')
  recoveryCodesConfirm(): PageResult {
    return confirmRecoveryCodesPage();
  }

  /** New recovery codes after the password; shown once, on this response. */
  @Post('recovery-codes')
  async regenerate(@Req() req: AppRequest) {
    const form = parseForm(PasswordDto, req.body, PASSWORD_ONLY_FORM);
    if (!form.ok) return confirmRecoveryCodesPage({ errors: form.errors }, 400);
    try {
      const { recoveryCodes } = await this.mfa.regenerateRecoveryCodes(
        req.auth!.user,
        req.auth!.session,
        form.value.password,
        meta(req),
      );
      return recoveryCodesShown(recoveryCodes, req.auth!.user.email, false);
    } catch (err) {
      const r = refused(err);
      return confirmRecoveryCodesPage(r, r.status);
    }
  }

  @Get('turn-off')
  turnOffConfirm(): PageResult {
    return confirmTurnOffPage();
  }

  /** Turns 2FA off after the password; refused (409) while the partner requires it of its staff. */
  @Post('turn-off')
  async turnOff(@Req() req: AppRequest) {
    const form = parseForm(PasswordDto, req.body, PASSWORD_ONLY_FORM);
    if (!form.ok) return confirmTurnOffPage({ errors: form.errors }, 400);
    const { user, session } = req.auth!;
    try {
      await this.mfa.disable(user, session, form.value.password, meta(req));
    } catch (err) {
      const r = refused(err);
      return confirmTurnOffPage(r, r.status);
    }
    return redirect(security('mfa-off'));
  }
}
