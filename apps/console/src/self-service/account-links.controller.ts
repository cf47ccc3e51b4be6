import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { EmailChangeService, SessionMeta } from '@lmp/identity';
import { AppRequest, confirmingSession, Meta } from '../http/request-context';
import { LinkTokenDto } from '../account/dto';
import { ApiTags } from '@nestjs/swagger';
import { EmailConfirmedResponse, LockedResponse } from '../account/responses';

/** The emailed account links, for people who may not be signed in (the pages post the same). */
@Controller('api/v1/account')
@ApiTags('account links')
export class AccountLinksController {
  constructor(private readonly emailChange: EmailChangeService) {}

  /**
   * Spends the link sent to the new address; 409 when the address was taken meanwhile. Every
   * other session of the account ends; this browser stays signed in only if it is the owner's.
   */
  @Post('confirm-email')
  @HttpCode(200)
  confirmEmail(
    @Req() req: AppRequest,
    @Body() dto: LinkTokenDto,
    @Meta() m: SessionMeta,
  ): Promise<EmailConfirmedResponse> {
    return this.emailChange.confirm(dto.token, m, confirmingSession(req));
  }

  /** "This wasn't me": locks the account and mails its owner how to recover it. */
  @Post('not-me')
  @HttpCode(200)
  async notMe(@Body() dto: LinkTokenDto, @Meta() m: SessionMeta): Promise<LockedResponse> {
    await this.emailChange.notMe(dto.token, m);
    return { status: 'locked' };
  }
}
