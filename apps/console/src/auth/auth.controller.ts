import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { BackgroundTasks } from '@lmp/common';
import { User } from '@lmp/database';
import {
  AuthService,
  EmailVerificationService,
  ForgotPasswordService,
  MfaSignInService,
  PasswordResetService,
  PENDING_COOKIE,
  SESSION_COOKIE,
  SessionMeta,
  SessionService,
} from '@lmp/identity';
import { SignupService } from '@lmp/tenancy';
import { AllowDuringMfaSetup, mfaSetupPending, SignedInGuard } from '../http/guards';
import { Auth, AuthContext, Meta } from '../http/request-context';
import { THROTTLE } from '../http/throttles';
import { EmailDto, MfaLoginDto, MfaSendDto, ResetPasswordDto, SignupDto, TokenDto } from './dto';
import { pendingCookie, setPendingCookie, setSignedInCookies } from './sign-in-cookies';
import { LocalAuthGuard } from './local-auth.guard';
import { ApiCookieAuth, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { AcceptedResponse } from '../http/responses';
import { EmailVerifiedResponse, MfaChallengeResponse, PasswordSetResponse, SessionResponse } from './responses';

@Controller('api/v1/auth')
@ApiTags('sign-in')
@ApiExtraModels(SessionResponse, MfaChallengeResponse)
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly resets: PasswordResetService,
    private readonly signups: SignupService,
    private readonly verification: EmailVerificationService,
    private readonly forgot: ForgotPasswordService,
    private readonly background: BackgroundTasks,
    private readonly mfaSignIn: MfaSignInService,
  ) {}

  /**
   * Signs in with email and password; a fresh session id every time. With 2FA on, answers
   * `{mfaRequired, methods}` and a pending cookie that only the second step accepts.
   */
  @Post('login')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  @ApiOkResponse({
    description: 'Signed in, or (with 2FA on) the methods to finish with.',
    schema: { oneOf: [{ $ref: getSchemaPath(SessionResponse) }, { $ref: getSchemaPath(MfaChallengeResponse) }] },
  })
  async login(@Req() req: Request & { user: User }, @Meta() m: SessionMeta, @Res({ passthrough: true }) res: Response) {
    const start = await this.mfaSignIn.begin(req.user, m);
    if (start.mfaRequired) {
      setPendingCookie(res, start.pendingRaw, this.sessions.cookieOptions());
      return {
        mfaRequired: true,
        methods: start.methods.map(({ id, kind, hint, isDefault }) => ({ id, kind, hint, isDefault })),
      };
    }
    return this.signedIn(req.user, start.raw, res);
  }

  /** Sends a sign-in code by SMS or email for one of the pending user's methods. */
  @Post('login/mfa/send')
  @HttpCode(202)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.mfa)
  async sendMfaCode(@Body() dto: MfaSendDto, @Req() req: Request, @Meta() m: SessionMeta): Promise<AcceptedResponse> {
    await this.mfaSignIn.send(pendingCookie(req), dto.methodId, m);
    return {};
  }

  /** The second step: a code or a recovery code. A fresh session id; the pending one ends. */
  @Post('login/mfa')
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.mfa)
  async loginMfa(
    @Body() dto: MfaLoginDto,
    @Req() req: Request,
    @Meta() m: SessionMeta,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponse> {
    const factor =
      dto.recoveryCode !== undefined
        ? { recoveryCode: dto.recoveryCode }
        : { methodId: dto.methodId!, code: dto.code! };
    const { raw, user } = await this.mfaSignIn.complete(pendingCookie(req), factor, m);
    res.clearCookie(PENDING_COOKIE, this.sessions.cookieOptions());
    return this.signedIn(user, raw, res);
  }

  private signedIn(user: User, raw: string, res: Response) {
    setSignedInCookies(res, raw, this.auth.deviceProof(user), this.sessions.cookieOptions());
    return this.auth.describe(user, true);
  }

  /** 202 whatever the address: a taken one gets a "someone tried to sign up" mail instead. */
  @Post('signup')
  @HttpCode(202)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.signup)
  async signup(@Body() dto: SignupDto, @Meta() m: SessionMeta): Promise<AcceptedResponse> {
    await this.signups.signup(dto, m);
    return {};
  }

  @Post('verify-email')
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.verifyEmail)
  async verifyEmail(@Body() dto: TokenDto, @Meta() m: SessionMeta): Promise<EmailVerifiedResponse> {
    const { email } = await this.verification.verify(dto.token, m);
    return { status: 'verified', email };
  }

  /** 202 always, answered before looking the address up. */
  @Post('resend-verification')
  @HttpCode(202)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.resendVerification)
  resendVerification(@Body() dto: EmailDto, @Meta() m: SessionMeta): AcceptedResponse {
    this.background.run('resend-verification', () => this.verification.resend(dto.email, m));
    return {};
  }

  /** 202 always, answered before looking the address up: the timing tells nothing either. */
  @Post('forgot-password')
  @HttpCode(202)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.forgotPassword)
  forgotPassword(@Body() dto: EmailDto, @Meta() m: SessionMeta): AcceptedResponse {
    this.background.run('forgot-password', () => this.forgot.request(dto.email, m));
    return {};
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(SignedInGuard)
  @AllowDuringMfaSetup()
  @ApiCookieAuth('session')
  async logout(
    @Auth() a: AuthContext,
    @Meta() m: SessionMeta,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.auth.signOut(a.rawSession, a.user, m);
    res.clearCookie(SESSION_COOKIE, this.sessions.cookieOptions());
  }

  @Get('session')
  @UseGuards(SignedInGuard)
  @AllowDuringMfaSetup()
  @ApiCookieAuth('session')
  async session(@Auth() a: AuthContext): Promise<SessionResponse> {
    const described = await this.auth.describe(a.user, a.session.mfaPassed);
    return mfaSetupPending(a) ? { ...described, mfaSetupRequired: true } : described;
  }

  /** Spends a reset or invitation link and sets the password. Every session of the user ends. */
  @Post('reset-password')
  @HttpCode(200)
  async resetPassword(
    @Body() dto: ResetPasswordDto,
    @Meta() m: SessionMeta,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PasswordSetResponse> {
    const done = await this.resets.complete(dto.token, dto.password, m);
    if ((req.cookies as Record<string, string>)?.[SESSION_COOKIE])
      res.clearCookie(SESSION_COOKIE, this.sessions.cookieOptions());
    return { status: 'password_set', email: done.email, next: '/login' };
  }
}
