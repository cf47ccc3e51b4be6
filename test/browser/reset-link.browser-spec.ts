import { INestApplication } from '@nestjs/common';
import { Page } from 'playwright-core';
import { partnerWithAdmin } from '../support/fixtures';
import { linkIn, mailsTo } from '../support/mail';
import { BrowserHarness, startBrowserHarness } from './harness';

/** A customer follows the emailed reset link in a real browser and signs in with the new password. */
describe('reset link in the browser', () => {
  let h: BrowserHarness;
  let page: Page;

  beforeAll(async () => {
    h = await startBrowserHarness();
    page = await h.browser.newPage();
  });

  afterAll(() => h?.close());

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
    await h.sut.settle();
    const [mail] = await mailsTo(h.sut.dataDir, 'web@browser.example.com', 'Reset your password');
    return h.local(linkIn(mail, '/reset-password'));
  }

  it('sets a new password from the link, then signs in with it', async () => {
    const link = await resetLinkFor(h.sut.app);
    await page.goto(link);
    await h.shot(page, 'reset-1-form');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose a new password');

    // Mismatched confirmation: an error next to the field, the link still works.
    await page.getByLabel('New password', { exact: true }).fill('a browser passphrase');
    await page.getByLabel('Confirm new password').fill('something else');
    await page.getByRole('button', { name: 'Create new password and sign in' }).click();
    expect(await page.locator('#confirm-error').textContent()).toContain('do not match');
    await h.shot(page, 'reset-2-mismatch');

    await page.getByLabel('New password', { exact: true }).fill('a browser passphrase');
    await page.getByLabel('Confirm new password').fill('a browser passphrase');
    await page.getByRole('button', { name: 'Create new password and sign in' }).click();
    // Setting the password signs this browser in.
    await page.getByRole('heading', { name: 'Hello, Wen Bo' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain('Your new password is set');
    await h.shot(page, 'reset-3-done');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email address').fill('web@browser.example.com');
    await page.getByLabel('Password').fill('a browser passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Wen Bo' }).waitFor();
    await h.shot(page, 'reset-4-signed-in');

    // The link is spent: opening it again says so.
    await page.goto(link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link cannot be used');
  });
});
