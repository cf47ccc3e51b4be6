import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { NotFoundProblem } from '@lmp/common';
import { MfaService, MfaSetupService, SessionMeta } from '@lmp/identity';
import { AllowDuringMfaSetup, SignedInGuard } from '../../http/guards';
import { Auth, AuthContext, Meta } from '../../http/request-context';
import { MfaCodeDto, MfaEmailDto, MfaPhoneDto, PasswordDto } from '../dto';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { AcceptedResponse } from '../../http/responses';
import {
  ConfirmedMethodResponse,
  MfaMethodResponse,
  MfaOverviewResponse,
  PendingMethodResponse,
  RecoveryCodesResponse,
  TotpSetupResponse,
} from '../responses';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A method id from the path; anything else cannot be one of the user's methods. */
function methodId(id: string): string {
  if (!UUID.test(id)) throw new NotFoundProblem('two-factor method');
  return id;
}

/**
 * My account → two-factor authentication. With 2FA on, adding, confirming and making default a
 * method need a recent re-authentication (POST /api/v1/me/reauth, or the sign-in itself): 403
 * `/problems/reauth-required` otherwise; the routes that take the password count it as one.
 * Reachable while the partner's policy holds its staff
 * back until they set a method up.
 */
@Controller('api/v1/me/mfa')
@ApiTags('my account')
@ApiCookieAuth('session')
@UseGuards(SignedInGuard)
@AllowDuringMfaSetup()
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly mfaSetup: MfaSetupService,
  ) {}

  @Get()
  overview(@Auth() a: AuthContext): Promise<MfaOverviewResponse> {
    return this.mfa.overview(a.user.id);
  }

  /** A pending authenticator-app method: its key, otpauth:// URL and QR code. */
  @Post('totp')
  setupTotp(@Auth() a: AuthContext): Promise<TotpSetupResponse> {
    return this.mfaSetup.setupTotp(a.user, a.session);
  }

  @Post('sms')
  setupSms(@Auth() a: AuthContext, @Body() dto: MfaPhoneDto, @Meta() m: SessionMeta): Promise<PendingMethodResponse> {
    return this.mfaSetup.setupSms(a.user, a.session, dto.phone, m);
  }

  @Post('email')
  setupEmail(@Auth() a: AuthContext, @Body() dto: MfaEmailDto, @Meta() m: SessionMeta): Promise<PendingMethodResponse> {
    return this.mfaSetup.setupEmail(a.user, a.session, dto.email, m);
  }

  /** Turns 2FA off: every method and recovery code goes; a notice is emailed. */
  @Post('disable')
  @HttpCode(204)
  async disable(@Auth() a: AuthContext, @Body() dto: PasswordDto, @Meta() m: SessionMeta): Promise<void> {
    await this.mfa.disable(a.user, a.session, dto.password, m);
  }

  @Post('recovery-codes')
  @HttpCode(200)
  regenerate(@Auth() a: AuthContext, @Body() dto: PasswordDto, @Meta() m: SessionMeta): Promise<RecoveryCodesResponse> {
    return this.mfa.regenerateRecoveryCodes(a.user, a.session, dto.password, m);
  }

  @Post(':methodId/confirm')
  @HttpCode(200)
  confirm(
    @Auth() a: AuthContext,
    @Param('methodId') id: string,
    @Body() dto: MfaCodeDto,
    @Meta() m: SessionMeta,
  ): Promise<ConfirmedMethodResponse> {
    return this.mfaSetup.confirm(a.user, a.session, methodId(id), dto.code, m);
  }

  /** A new code for a pending SMS or email method; the previous one stops working. */
  @Post(':methodId/resend')
  @HttpCode(202)
  async resend(
    @Auth() a: AuthContext,
    @Param('methodId') id: string,
    @Meta() m: SessionMeta,
  ): Promise<AcceptedResponse> {
    await this.mfaSetup.resendSetupCode(a.user, methodId(id), m);
    return {};
  }

  @Post(':methodId/default')
  @HttpCode(200)
  setDefault(
    @Auth() a: AuthContext,
    @Param('methodId') id: string,
    @Meta() m: SessionMeta,
  ): Promise<MfaMethodResponse> {
    return this.mfa.setDefault(a.user, a.session, methodId(id), m);
  }

  @Delete(':methodId')
  @HttpCode(204)
  async remove(
    @Auth() a: AuthContext,
    @Param('methodId') id: string,
    @Body() dto: PasswordDto,
    @Meta() m: SessionMeta,
  ): Promise<void> {
    await this.mfa.remove(a.user, a.session, methodId(id), dto.password, m);
  }
}
