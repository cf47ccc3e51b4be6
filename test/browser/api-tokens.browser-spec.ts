import { Browser } from 'playwright-core';
import request from 'supertest';
import { ProvisioningService } from '@lmp/tenancy';
import { BrowserHarness, startBrowserHarness } from './harness';

const EMAIL = 'admin@tokens-ui.example.com';
const PASSWORD = 'partner admin passphrase';

/**
 * Settings → API tokens in Chromium: a partner admin creates a token, copies it from the page
 * that shows it once, sees it listed, and revokes it after the confirmation.
 */
describe('API tokens page in the browser', () => {
  let h: BrowserHarness;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    h = await startBrowserHarness();
    ({ browser, base } = h);
    await h.sut.app.get(ProvisioningService).createPartner({
      name: 'Tokens UI Partner',
      code: 'tokens-ui',
      adminEmail: EMAIL,
      adminPassword: PASSWORD,
      requireStaffMfa: false,
    });
  });
  afterAll(() => h?.close());

  it('creates, copies, lists and revokes a token', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { name: 'No API tokens yet' }).waitFor();
    await h.shot(page, 'tokens-01-empty');

    // Refused first: no scope chosen.
    await page.getByLabel('Name').fill('Billing sync');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Choose at least one thing the token may do.').first().waitFor();
    await page.getByLabel(/^See customers/).check();
    await page.getByLabel(/^Read the audit trail/).check();
    await page.getByLabel('Expires').selectOption('30');
    await page.getByRole('button', { name: 'Create token' }).click();

    await page.getByRole('heading', { name: 'Token “Billing sync” created' }).waitFor();
    const secret = await page.getByLabel('Token', { exact: true }).inputValue();
    expect(secret).toMatch(/^lmp_pat_[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByText('Copied.').waitFor();
    // The page's own navigator (the test's lib has no DOM types).
    const clipboard = await page.evaluate('navigator.clipboard.readText()');
    expect(clipboard).toBe(secret);
    await h.shot(page, 'tokens-02-created');
    await request(base).get('/api/v1/partner/audit').set('Authorization', `Bearer ${secret}`).expect(200);

    await page.getByRole('link', { name: 'Done' }).click();
    const row = page.locator('tbody tr', { hasText: 'Billing sync' });
    await row.getByText('Active').waitFor();
    expect(await row.textContent()).toContain('customers:read, audit:read');
    await h.shot(page, 'tokens-03-list');

    await row.getByRole('link', { name: /^Revoke/ }).click();
    await page.getByRole('heading', { name: 'Revoke the token “Billing sync”?' }).waitFor();
    await h.shot(page, 'tokens-04-confirm');
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Token revoked.').waitFor();
    await page.locator('tbody tr', { hasText: 'Billing sync' }).getByText('Revoked').waitFor();
    await request(base).get('/api/v1/partner/audit').set('Authorization', `Bearer ${secret}`).expect(401);
    await context.close();
  });
});
