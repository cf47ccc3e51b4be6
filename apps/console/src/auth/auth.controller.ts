import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { BackgroundTasks } from '@lmp/common';
import { User } from '@lmp/database';
import {
  AuthService,
  EmailVerificationService,
  ForgotPasswordService,
  PasswordResetService,
  SESSION_COOKIE,
  SessionMeta,
  SessionService,
} from '@lmp/identity';
import { SignupService } from '@lmp/tenancy';
import { SignedInGuard } from '../http/guards';
import { Auth, AuthContext, Meta } from '../http/request-context';
import { THROTTLE } from '../http/throttles';
import { EmailDto, ResetPasswordDto, SignupDto, TokenDto } from './dto';
import { setDeviceCookie } from './device-cookie';
import { LocalAuthGuard } from './local-auth.guard';

@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly resets: PasswordResetService,
    private readonly signups: SignupService,
    private readonly verification: EmailVerificationService,
    private readonly forgot: ForgotPasswordService,
    private readonly background: BackgroundTasks,
  ) {}

  /** Signs in with email and password; a fresh session id every time. */
  @Post('login')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  async login(@Req() req: Request & { user: User }, @Meta() m: SessionMeta, @Res({ passthrough: true }) res: Response) {
    const raw = await this.auth.startSession(req.user, m);
    res.cookie(SESSION_COOKIE, raw, this.sessions.cookieOptions());
    setDeviceCookie(res, this.auth.deviceProof(req.user.email), this.sessions.cookieOptions());
    return this.auth.describe(req.user, true);
  }

  /** 202 whatever the address: a taken one gets a "someone tried to sign up" mail instead. */
  @Post('signup')
  @HttpCode(202)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.signup)
  async signup(@Body() dto: SignupDto, @Meta() m: SessionMeta) {
    await this.signups.signup(dto, m);
    return {};
  }

  @Post('verify-email')
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.verifyEmail)
  async verifyEmail(@Body() dto: TokenDto, @Meta() m: SessionMeta) {
    const { email } = await this.verification.verify(dto.token, m);
    return { status: 'verified', email };
  }

  /** 202 always, answered before looking the address up. */
  @Post('resend-verification')
  @HttpCode(202)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.resendVerification)
  resendVerification(@Body() dto: EmailDto, @Meta() m: SessionMeta) {
    this.background.run('resend-verification', () => this.verification.resend(dto.email, m));
    return {};
  }

  /** 202 always, answered before looking the address up: the timing tells nothing either. */
  @Post('forgot-password')
  @HttpCode(202)
  @UseGuards(ThrottlerGuard)
  @Throttle(THROTTLE.forgotPassword)
  forgotPassword(@Body() dto: EmailDto, @Meta() m: SessionMeta) {
    this.background.run('forgot-password', () => this.forgot.request(dto.email, m));
    return {};
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(SignedInGuard)
  async logout(@Auth() a: AuthContext, @Meta() m: SessionMeta, @Res({ passthrough: true }) res: Response) {
    await this.auth.signOut(a.rawSession, a.user, m);
    res.clearCookie(SESSION_COOKIE, this.sessions.cookieOptions());
  }

  @Get('session')
  @UseGuards(SignedInGuard)
  session(@Auth() a: AuthContext) {
    return this.auth.describe(a.user, a.session.mfaPassed);
  }

  /** Spends a reset or invitation link and sets the password. Every session of the user ends. */
  @Post('reset-password')
  @HttpCode(200)
  async resetPassword(
    @Body() dto: ResetPasswordDto,
    @Meta() m: SessionMeta,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const done = await this.resets.complete(dto.token, dto.password, m);
    if ((req.cookies as Record<string, string>)?.[SESSION_COOKIE])
      res.clearCookie(SESSION_COOKIE, this.sessions.cookieOptions());
    return { status: 'password_set', email: done.email, next: '/login' };
  }
}
