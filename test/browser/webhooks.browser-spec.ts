import { Browser, BrowserContext } from 'playwright-core';
import { DemoSeedResult, ProvisioningService } from '@lmp/tenancy';
import { RunningConsole } from '../support/console-app';
import { verifyEvent, WebhookReceiver } from '../support/webhook-receiver';
import { BrowserHarness, startBrowserHarness } from './harness';

/**
 * Settings → Webhooks in Chromium: a partner admin adds a webhook, copies its secret (shown
 * once), sends a test event that the receiver verifies, and sees the delivery listed.
 */
describe('webhooks in the browser', () => {
  let h: BrowserHarness;
  let sut: RunningConsole;
  let browser: Browser;
  let base: string;
  let demo: DemoSeedResult;
  let receiver: WebhookReceiver;
  let url: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    h = await startBrowserHarness({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    ({ sut, browser, base } = h);
    demo = await sut.app.get(ProvisioningService).seedDemo({ customers: 3, accountsPerCustomer: 1 });
    receiver = new WebhookReceiver();
    url = await receiver.start();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await h?.close();
    await receiver?.stop();
  });

  it('adds a webhook, shows its secret once, and delivers a signed test event', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Email address').fill(demo.adminEmail);
    await page.getByLabel('Password').fill(demo.adminPassword!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();

    await page.goto(`${base}/partner/settings`);
    await page.getByRole('link', { name: 'Manage webhooks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByText('No webhooks yet.').waitFor();
    await h.shot(page, 'webhooks-01-empty');

    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('2 fields need your attention').waitFor();
    await page.getByLabel('Receiver address').fill(url);
    await page.getByLabel(/A customer is added/).check();
    await page.getByLabel(/An account is added/).check();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook added' }).waitFor();
    const secret = (await page.locator('.secret code').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await h.shot(page, 'webhooks-02-secret');

    await page.getByRole('link', { name: /send a test event/ }).click();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event queued.').waitFor();
    await sut.settle();
    expect(verifyEvent(secret, receiver.received[0])).toMatchObject({ type: 'ping' });
    await page.reload();
    await page.locator('tbody').getByText('Delivered').waitFor();
    expect(await page.content()).not.toContain(secret.slice(6, 30));
    await h.shot(page, 'webhooks-03-deliveries');

    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByText('Webhook turned off.').waitFor();
    await page.getByRole('button', { name: 'Turn on' }).waitFor();
  });
});
