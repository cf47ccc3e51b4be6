import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { PartnerActor, PartnerWebhooksService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { RequireScope } from '../../http/scopes';
import { Actor } from '../partner-actor';
import { CreateWebhookDto, UpdateWebhookDto } from './dto';
import {
  CreatedWebhookResponse,
  WebhookDeliveryList,
  WebhookList,
  WebhookResponse,
  WebhookTestResponse,
} from './responses';

/** The partner's webhooks: partner_support reads them, partner_admin changes them. */
@Controller('api/v1/partner/webhooks')
@ApiTags('partner webhooks')
@ApiCookieAuth('session')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
export class WebhooksController {
  constructor(private readonly webhooks: PartnerWebhooksService) {}

  @Get()
  @RequireScope('webhooks:manage')
  list(@Actor() actor: PartnerActor): Promise<WebhookList> {
    return this.webhooks.list(actor);
  }

  /** 201 with the signing secret, shown this once. */
  @Post()
  @Roles('partner_admin')
  @RequireScope('webhooks:manage')
  create(@Actor() actor: PartnerActor, @Body() dto: CreateWebhookDto): Promise<CreatedWebhookResponse> {
    return this.webhooks.create(actor, dto);
  }

  @Get(':webhookId')
  @RequireScope('webhooks:manage')
  get(@Actor() actor: PartnerActor, @Param('webhookId', IdPipe) id: string): Promise<WebhookResponse> {
    return this.webhooks.get(actor, id);
  }

  @Patch(':webhookId')
  @Roles('partner_admin')
  @RequireScope('webhooks:manage')
  update(
    @Actor() actor: PartnerActor,
    @Param('webhookId', IdPipe) id: string,
    @Body() dto: UpdateWebhookDto,
  ): Promise<WebhookResponse> {
    return this.webhooks.update(actor, id, dto);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @Roles('partner_admin')
  @RequireScope('webhooks:manage')
  async remove(@Actor() actor: PartnerActor, @Param('webhookId', IdPipe) id: string): Promise<void> {
    await this.webhooks.delete(actor, id);
  }

  /** Queues a `ping` event to the webhook: 202 with the event's id. */
  @Post(':webhookId/test')
  @HttpCode(202)
  @Roles('partner_admin')
  @RequireScope('webhooks:manage')
  test(@Actor() actor: PartnerActor, @Param('webhookId', IdPipe) id: string): Promise<WebhookTestResponse> {
    return this.webhooks.sendTest(actor, id);
  }

  @Get(':webhookId/deliveries')
  @RequireScope('webhooks:manage')
  deliveries(@Actor() actor: PartnerActor, @Param('webhookId', IdPipe) id: string): Promise<WebhookDeliveryList> {
    return this.webhooks.deliveries(actor, id);
  }
}
