import { Controller, Get, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { PartnerActor, PartnerWebhooksService } from '@lmp/tenancy';
import { Roles, SignedInGuard } from '../../http/guards';
import { IdPipe } from '../../http/id.pipe';
import { AppRequest } from '../../http/request-context';
import { queryText, urlWith } from '../../web/format';
import { attempt, checked, errorList } from '../../web/forms';
import { ConsolePageFilter } from '../../web/page-filter';
import { page, PageResult, redirect } from '../../web/page-result';
import { Actor } from '../partner-actor';
import {
  deliveryRow,
  eventChoices,
  FormState,
  postedWebhook,
  WEBHOOK_FORM,
  webhookPath,
  webhookRow,
  WEBHOOKS_PATH,
} from './presenters';

const NOTICES: Record<string, string> = {
  saved: 'Webhook saved.',
  enabled: 'Webhook turned on. Events are sent to it again.',
  disabled: 'Webhook turned off. No events are sent to it until you turn it back on.',
  test: 'Test event queued. It shows under Recent deliveries within a few seconds.',
  deleted: 'Webhook deleted.',
};

/**
 * Settings → Webhooks: the partner's webhooks, adding one (its signing secret is shown once),
 * changing its address and events, turning it on or off, sending a test event, recent
 * deliveries, deleting it. partner_support sees them; only partner_admin changes them.
 */
@Controller('partner/settings/webhooks')
@UseGuards(SignedInGuard)
@Roles('partner_admin', 'partner_support')
@UseFilters(ConsolePageFilter)
export class WebhookPagesController {
  constructor(private readonly webhooks: PartnerWebhooksService) {}

  @Get()
  async list(@Actor() actor: PartnerActor, @Query() query: Record<string, unknown>): Promise<PageResult> {
    return this.listPage(actor, { values: { url: '', events: [] }, errors: {} }, query);
  }

  @Post()
  @Roles('partner_admin')
  async create(@Req() req: AppRequest, @Actor() actor: PartnerActor): Promise<PageResult> {
    const values = postedWebhook(req.body);
    const created = await attempt(WEBHOOK_FORM, () => this.webhooks.create(actor, values));
    if ('errors' in created) return this.listPage(actor, { values, errors: created.errors }, {}, 400);
    // The secret is shown on this answer only: it is not in any URL and not stored readable.
    return page(
      'partner/webhooks/webhook-created',
      { title: 'Webhook added', webhook: webhookRow(created.value), secret: created.value.secret },
      { shell: 'settings' },
    );
  }

  @Get(':webhookId')
  async show(
    @Actor() actor: PartnerActor,
    @Param('webhookId', IdPipe) id: string,
    @Query() query: Record<string, unknown>,
  ): Promise<PageResult> {
    const webhook = await this.webhooks.get(actor, id);
    return this.detailPage(actor, id, { values: { url: webhook.url, events: webhook.events }, errors: {} }, query);
  }

  @Post(':webhookId')
  @Roles('partner_admin')
  async save(
    @Req() req: AppRequest,
    @Actor() actor: PartnerActor,
    @Param('webhookId', IdPipe) id: string,
  ): Promise<PageResult> {
    await this.webhooks.get(actor, id);
    const values = postedWebhook(req.body);
    const saved = await attempt(WEBHOOK_FORM, () => this.webhooks.update(actor, id, values));
    if ('errors' in saved) return this.detailPage(actor, id, { values, errors: saved.errors }, {}, 400);
    return redirect(urlWith(webhookPath(id), { done: 'saved' }));
  }

  /** The on / off button: `enabled` is posted when it turns the webhook on. */
  @Post(':webhookId/enabled')
  @Roles('partner_admin')
  async toggle(
    @Req() req: AppRequest,
    @Actor() actor: PartnerActor,
    @Param('webhookId', IdPipe) id: string,
  ): Promise<PageResult> {
    const enabled = checked(req.body, 'enabled');
    await this.webhooks.update(actor, id, { enabled });
    return redirect(urlWith(webhookPath(id), { done: enabled ? 'enabled' : 'disabled' }));
  }

  @Post(':webhookId/test')
  @Roles('partner_admin')
  async test(@Actor() actor: PartnerActor, @Param('webhookId', IdPipe) id: string): Promise<PageResult> {
    await this.webhooks.sendTest(actor, id);
    return redirect(urlWith(webhookPath(id), { done: 'test' }));
  }

  @Post(':webhookId/delete')
  @Roles('partner_admin')
  async remove(@Actor() actor: PartnerActor, @Param('webhookId', IdPipe) id: string): Promise<PageResult> {
    await this.webhooks.delete(actor, id);
    return redirect(urlWith(WEBHOOKS_PATH, { done: 'deleted' }));
  }

  private async listPage(
    actor: PartnerActor,
    form: FormState,
    query: Record<string, unknown>,
    status = 200,
  ): Promise<PageResult> {
    const { items } = await this.webhooks.list(actor);
    return page(
      'partner/webhooks/webhooks',
      {
        title: 'Webhooks',
        webhooks: items.map(webhookRow),
        values: form.values,
        errors: form.errors,
        errorList: errorList(form.errors),
        events: eventChoices(form.values.events),
        notice: NOTICES[queryText(query.done, 20)],
      },
      { shell: 'settings', status },
    );
  }

  private async detailPage(
    actor: PartnerActor,
    id: string,
    form: FormState,
    query: Record<string, unknown>,
    status = 200,
  ): Promise<PageResult> {
    const [webhook, deliveries] = await Promise.all([
      this.webhooks.get(actor, id),
      this.webhooks.deliveries(actor, id),
    ]);
    return page(
      'partner/webhooks/webhook',
      {
        title: 'Webhook',
        webhook: webhookRow(webhook),
        values: form.values,
        errors: form.errors,
        errorList: errorList(form.errors),
        events: eventChoices(form.values.events),
        deliveries: deliveries.items.map(deliveryRow),
        notice: NOTICES[queryText(query.done, 20)],
      },
      { shell: 'settings', status },
    );
  }
}
