import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { PartnerActor, PartnerApiTokensService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { Actor } from '../partner-actor';
import { CreateApiTokenDto } from './dto';
import { ApiTokenList, CreatedApiTokenResponse } from './responses';

/**
 * The partner's API tokens. Signed-in staff only: no route here has a scope, so a token cannot
 * list, create or revoke tokens (403). Admins create and revoke; support staff see the list.
 */
@Controller('api/v1/partner/api-tokens')
@ApiTags('partner API tokens')
@ApiCookieAuth('session')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
export class ApiTokensController {
  constructor(private readonly tokens: PartnerApiTokensService) {}

  @Get()
  async list(@Actor() actor: PartnerActor): Promise<ApiTokenList> {
    return { items: await this.tokens.list(actor) };
  }

  /** 201 with the token's secret, in this answer only. */
  @Post()
  @Roles('partner_admin')
  create(@Actor() actor: PartnerActor, @Body() dto: CreateApiTokenDto): Promise<CreatedApiTokenResponse> {
    return this.tokens.create(actor, dto);
  }

  /** Revokes at once; 204 (again 204 for a token already revoked), 404 for another partner's. */
  @Delete(':tokenId')
  @Roles('partner_admin')
  @HttpCode(204)
  async revoke(@Actor() actor: PartnerActor, @Param('tokenId', IdPipe) tokenId: string): Promise<void> {
    await this.tokens.revoke(actor, tokenId);
  }
}
