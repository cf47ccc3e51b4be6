import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { NotFoundProblem } from '@lmp/common';
import {
  AccountSettingsService,
  EmailChangeService,
  MfaService,
  SESSION_COOKIE,
  SessionMeta,
  SessionService,
  SubscriptionService,
} from '@lmp/identity';
import { SignedInGuard } from '../http/guards';
import { Auth, AuthContext, Meta } from '../http/request-context';
import { ChangeEmailDto, ChangePasswordDto, MfaMethodDto, ReauthDto, SubscriptionsDto, UpdateProfileDto } from './dto';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { AcceptedResponse } from '../http/responses';
import { ProfileResponse, SessionList, SubscriptionsResponse } from './responses';

const SESSION_ID = /^[0-9a-f]{64}$/;

/** My account: the signed-in user's own profile, address, password, preferences and sessions. */
@Controller('api/v1/me')
@ApiTags('my account')
@ApiCookieAuth('session')
@UseGuards(SignedInGuard)
export class MeController {
  constructor(
    private readonly settings: AccountSettingsService,
    private readonly emailChange: EmailChangeService,
    private readonly subscriptions: SubscriptionService,
    private readonly sessions: SessionService,
    private readonly mfa: MfaService,
  ) {}

  @Get('profile')
  profile(@Auth() a: AuthContext): Promise<ProfileResponse> {
    return this.settings.getProfile(a.user.id);
  }

  @Patch('profile')
  updateProfile(
    @Auth() a: AuthContext,
    @Body() dto: UpdateProfileDto,
    @Meta() m: SessionMeta,
  ): Promise<ProfileResponse> {
    return this.settings.updateProfile(a.user, dto, m);
  }

  /** 202: a link goes to the new address; the change happens when it is used. */
  @Post('email')
  @HttpCode(202)
  async changeEmail(
    @Auth() a: AuthContext,
    @Body() dto: ChangeEmailDto,
    @Meta() m: SessionMeta,
  ): Promise<AcceptedResponse> {
    await this.emailChange.request(a.user, a.session, dto, m);
    return {};
  }

  /** 204; every other session ends and this one gets a fresh id. */
  @Post('password')
  @HttpCode(204)
  async changePassword(
    @Auth() a: AuthContext,
    @Body() dto: ChangePasswordDto,
    @Meta() m: SessionMeta,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const raw = await this.settings.changePassword(a.user, a.session, dto, m);
    res.cookie(SESSION_COOKIE, raw, this.sessions.cookieOptions());
  }

  /**
   * Proves it is still the account's owner, with the password or a current code of a confirmed
   * two-factor method: changes to sign-in methods are then allowed for the next 10 minutes.
   * 204; a wrong one is a 400 and counts like a failed sign-in (five in a row end the session).
   */
  @Post('reauth')
  @HttpCode(204)
  async reauth(@Auth() a: AuthContext, @Body() dto: ReauthDto, @Meta() m: SessionMeta): Promise<void> {
    await this.mfa.reauthenticate(a.user, a.session, dto, m);
  }

  /** A "confirm it's you" code by text message or email, for a confirmed method of that kind. 202. */
  @Post('reauth/send')
  @HttpCode(202)
  async sendReauthCode(
    @Auth() a: AuthContext,
    @Body() dto: MfaMethodDto,
    @Meta() m: SessionMeta,
  ): Promise<AcceptedResponse> {
    await this.mfa.sendReauthCode(a.user, dto.methodId, m);
    return {};
  }

  @Get('subscriptions')
  getSubscriptions(@Auth() a: AuthContext): Promise<SubscriptionsResponse> {
    return this.subscriptions.get(a.user.id);
  }

  @Put('subscriptions')
  async setSubscriptions(
    @Auth() a: AuthContext,
    @Body() dto: SubscriptionsDto,
    @Meta() m: SessionMeta,
  ): Promise<SubscriptionsResponse> {
    await this.subscriptions.set(a.user.id, dto, 'api', m.ip ?? null);
    return this.subscriptions.get(a.user.id);
  }

  @Get('sessions')
  listSessions(@Auth() a: AuthContext): Promise<SessionList> {
    return this.settings.listSessions(a.user.id, a.session.id);
  }

  /** Signs every other browser out; this one stays. */
  @Post('sessions/revoke-others')
  @HttpCode(204)
  async revokeOthers(@Auth() a: AuthContext, @Meta() m: SessionMeta): Promise<void> {
    await this.settings.revokeOtherSessions(a.user, a.session.id, m);
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  async revokeSession(@Auth() a: AuthContext, @Param('id') id: string, @Meta() m: SessionMeta): Promise<void> {
    if (!SESSION_ID.test(id)) throw new NotFoundProblem('session');
    await this.settings.revokeSession(a.user, id, m);
  }
}
