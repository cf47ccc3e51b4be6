import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Controller, Get, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { NotFoundProblem } from '@lmp/common';
import { PartnerActor, PartnerApiTokensService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { AppRequest } from '../../http/request-context';
import { queryText, urlWith } from '../../web/format';
import { FieldErrors } from '../../web/forms';
import { ConsolePageFilter } from '../../web/page-filter';
import { page, PageResult, redirect } from '../../web/page-result';
import { Actor } from '../partner-actor';
import { CreateApiTokenDto } from './dto';
import { DONE_TOKENS, TOKEN_FORM, tokenRow, TOKENS_PATH, tokensPage } from './presenters';

/** The posted scope checkboxes: one value is a string, several an array. */
const postedScopes = (body: unknown): string[] => {
  const raw = ((body ?? {}) as Record<string, unknown>).scopes;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((s): s is string => typeof s === 'string').slice(0, 20);
};

/**
 * Settings → API tokens: the list (support staff read it), creating a token (its secret is shown
 * on the answer to the form, once) and revoking one after a confirmation; partner admins only.
 */
@Controller('partner/settings/api-tokens')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class ApiTokenPagesController {
  constructor(private readonly tokens: PartnerApiTokensService) {}

  @Get()
  async list(@Actor() actor: PartnerActor, @Query() query: Record<string, unknown>): Promise<PageResult> {
    return tokensPage(await this.tokens.list(actor), {}, {}, { notice: DONE_TOKENS[queryText(query.done, 20)] });
  }

  @Post()
  @Roles('partner_admin')
  async create(@Req() req: AppRequest, @Actor() actor: PartnerActor): Promise<PageResult> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const values = { name: text(body.name), scopes: postedScopes(body), expiresInDays: text(body.expiresInDays) };
    const days = values.expiresInDays;
    const dto = plainToInstance(CreateApiTokenDto, {
      name: values.name,
      scopes: values.scopes,
      expiresInDays: /^\d{1,4}$/.test(days) ? Number(days) : days || undefined,
    });
    const errors: FieldErrors = {};
    for (const e of validateSync(dto, { whitelist: true })) errors[e.property] ??= TOKEN_FORM.fields[e.property];
    if (Object.keys(errors).length) return tokensPage(await this.tokens.list(actor), values, errors, { status: 400 });
    const created = await this.tokens.create(actor, dto);
    return page(
      'partner/api-tokens/created',
      { title: 'API token created', token: tokenRow(created), secret: created.token, scripts: ['/assets/copy.js'] },
      { shell: 'settings', status: 201 },
    );
  }

  @Get(':tokenId/revoke')
  @Roles('partner_admin')
  async confirmRevoke(@Actor() actor: PartnerActor, @Param('tokenId', IdPipe) tokenId: string): Promise<PageResult> {
    const token = (await this.tokens.list(actor)).find((t) => t.id === tokenId);
    if (!token) throw new NotFoundProblem('API token');
    return page(
      'partner/api-tokens/revoke-confirm',
      { title: `Revoke ${token.name}?`, token: tokenRow(token), cancelHref: TOKENS_PATH },
      { shell: 'settings' },
    );
  }

  @Post(':tokenId/revoke')
  @Roles('partner_admin')
  async revoke(@Actor() actor: PartnerActor, @Param('tokenId', IdPipe) tokenId: string): Promise<PageResult> {
    await this.tokens.revoke(actor, tokenId);
    return redirect(urlWith(TOKENS_PATH, { done: 'revoked' }));
  }
}
