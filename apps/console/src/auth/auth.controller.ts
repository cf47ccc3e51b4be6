import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { User } from '@lmp/database';
import { AuthService, PasswordResetService, SESSION_COOKIE, SessionMeta, SessionService } from '@lmp/identity';
import { SignedInGuard } from '../http/guards';
import { Auth, AuthContext, Meta } from '../http/request-context';
import { ResetPasswordDto } from './dto';
import { LocalAuthGuard } from './local-auth.guard';

@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly resets: PasswordResetService,
  ) {}

  /** Signs in with email and password; a fresh session id every time. */
  @Post('login')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  async login(@Req() req: Request & { user: User }, @Meta() m: SessionMeta, @Res({ passthrough: true }) res: Response) {
    const raw = await this.auth.startSession(req.user, m);
    res.cookie(SESSION_COOKIE, raw, this.sessions.cookieOptions());
    return this.auth.describe(req.user, true);
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
