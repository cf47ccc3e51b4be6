import { INestApplication } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { partnerWithAdmin } from '../support/fixtures';
import { linkIn, mailsTo } from '../support/mail';
import { RunningConsole, startConsole } from '../support/console-app';
import { CHROMIUM } from './global-setup';

const SHOTS = join(__dirname, 'screenshots');

/** A customer follows the emailed reset link in a real browser and signs in with the new password. */
describe('reset link in the browser', () => {
  let sut: RunningConsole;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // The console listens on a free port; links point at it.
    sut = await startConsole({ PUBLIC_URL: 'http://127.0.0.1:1' });
    await sut.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  async function resetLinkFor(app: INestApplication): Promise<string> {
    const { agent } = await partnerWithAdmin(app, 'browsers');
    const c = await agent
      .post('/api/v1/partner/customers')
      .send({ companyName: 'Browser Co', country: 'GB' })
      .expect(201);
    const a = await agent
      .post(`/api/v1/partner/customers/${c.body.id}/accounts`)
      .send({ email: 'web@browser.example.com', firstName: 'Wen', lastName: 'Bo', role: 'full_access' })
      .expect(201);
    await agent.post(`/api/v1/partner/customers/${c.body.id}/accounts/${a.body.id}/password-reset`).expect(202);
    await sut.settle();
    const [mail] = await mailsTo(sut.dataDir, 'web@browser.example.com', 'Reset your password');
    const link = new URL(linkIn(mail, '/reset-password'));
    return `${base}${link.pathname}${link.search}`;
  }

  it('sets a new password from the link, then signs in with it', async () => {
    const link = await resetLinkFor(sut.app);
    await page.goto(link);
    await page.screenshot({ path: join(SHOTS, 'reset-1-form.png'), fullPage: true });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose a new password');

    // Mismatched confirmation: an error next to the field, the link still works.
    await page.getByLabel('New password', { exact: true }).fill('a browser passphrase');
    await page.getByLabel('Confirm new password').fill('something else');
    await page.getByRole('button', { name: 'Create new password' }).click();
    expect(await page.locator('#confirm-error').textContent()).toContain('do not match');
    await page.screenshot({ path: join(SHOTS, 'reset-2-mismatch.png'), fullPage: true });

    await page.getByLabel('New password', { exact: true }).fill('a browser passphrase');
    await page.getByLabel('Confirm new password').fill('a browser passphrase');
    await page.getByRole('button', { name: 'Create new password' }).click();
    await page.getByRole('heading', { name: 'Your password is set' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'reset-3-done.png'), fullPage: true });

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email address').fill('web@browser.example.com');
    await page.getByLabel('Password').fill('a browser passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Wen Bo' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'reset-4-signed-in.png'), fullPage: true });

    // The link is spent: opening it again says so.
    await page.goto(link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link cannot be used');
  });
});
