import { Browser, BrowserContext, Page } from 'playwright-core';
import { DemoSeedResult, ProvisioningService } from '@lmp/tenancy';
import { linkIn, mailsTo } from '../support/mail';
import { RunningConsole } from '../support/console-app';
import { BrowserHarness, startBrowserHarness } from './harness';

const SUPPORT_EMAIL = 'support@demo.example.com';
const NEW_PASSWORD = 'amber harbour lantern 27';

/**
 * The partner console in Chromium, on the embedded default with the demo data: a partner admin
 * finds a customer, opens one of its accounts and resets its password; the customer follows the
 * emailed link and signs in with the new password. A partner_support user sees no edit controls.
 */
describe('partner console in the browser', () => {
  let h: BrowserHarness;
  let sut: RunningConsole;
  let browser: Browser;
  let base: string;
  let demo: DemoSeedResult;
  const contexts: BrowserContext[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    return context.newPage();
  }

  const shot = (page: Page, name: string) => h.shot(page, name);

  async function signIn(page: Page, email: string, password: string) {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  beforeAll(async () => {
    h = await startBrowserHarness();
    ({ sut, browser, base } = h);
    // The same demo partner `npm start` creates, smaller: an admin and a support user share its password.
    demo = await sut.app.get(ProvisioningService).seedDemo({ customers: 40, accountsPerCustomer: 3 });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await h?.close();
  });

  it('a partner admin resets an account’s password and its owner sets a new one', async () => {
    const admin = await newPage();

    // Anonymous: sent to sign in, and back to the customers afterwards.
    await admin.goto(`${base}/partner/customers`);
    expect(new URL(admin.url()).pathname).toBe('/login');
    await shot(admin, 'console-01-sign-in');
    await signIn(admin, demo.adminEmail, demo.adminPassword!);
    await admin.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    expect(new URL(admin.url()).pathname).toBe('/partner/customers');
    expect(await admin.getByRole('link', { name: 'Customers' }).getAttribute('aria-current')).toBe('page');
    expect(await admin.locator('.pager-summary').textContent()).toBe('Showing 1–25 of 40');
    await shot(admin, 'console-02-customers');

    // Search: "globex" matches three companies.
    await admin.getByRole('searchbox', { name: 'Search customers' }).fill('globex');
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.getByText('Showing 1–3 of 3').waitFor();
    const names = await admin.locator('tbody th a').allTextContents();
    expect(names).toEqual(['Globex Labs', 'Globex Logistics', 'Globex Systems']);
    await shot(admin, 'console-03-search');

    await admin.getByRole('link', { name: 'Globex Labs' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Globex Labs' }).waitFor();
    await admin
      .getByRole('navigation', { name: 'Customer sections' })
      .getByRole('link', { name: /^Licenses/ })
      .click();
    await admin.getByRole('heading', { name: 'Licenses' }).waitFor();
    expect(await admin.locator('tbody tr').count()).toBe(1);
    await shot(admin, 'console-04-licenses');

    await admin.getByRole('link', { name: /^Accounts/ }).click();
    expect(await admin.getByRole('link', { name: /^Accounts/ }).getAttribute('aria-current')).toBe('page');
    const rows = admin.locator('tbody tr');
    expect(await rows.count()).toBe(3);
    await shot(admin, 'console-05-accounts');
    const accountLink = rows.first().locator('th a');
    const accountName = (await accountLink.textContent())!;
    const email = (await rows.first().locator('td').first().textContent())!;
    await accountLink.click();
    await admin.getByRole('heading', { level: 1, name: accountName }).waitFor();
    expect(await admin.getByText('No password reset has been requested for this account.').isVisible()).toBe(true);
    await shot(admin, 'console-06-account');

    // The notice says what will happen; OK confirms.
    await admin.getByRole('link', { name: 'Reset password' }).click();
    await admin.getByRole('heading', { level: 1, name: `Reset the password of ${accountName}?` }).waitFor();
    const notice = await admin.locator('#notice-what').textContent();
    expect(notice).toContain(`goes to ${email}`);
    expect(notice).toContain('The current password keeps working until the link is used.');
    expect(notice).toContain('The link expires in 60 minutes.');
    await shot(admin, 'console-07-reset-notice');
    await admin.getByRole('button', { name: 'OK' }).click();
    await admin.getByRole('status').filter({ hasText: 'Password reset requested' }).waitFor();
    expect(await admin.getByRole('status').first().textContent()).toContain(`on its way to ${email}`);
    // The request shows up and turns to "Sent" once the mail is delivered (the page polls).
    const request = admin.locator('tr[data-request-id]');
    await request.locator('.badge', { hasText: 'Sent' }).waitFor();
    expect(await request.count()).toBe(1);
    expect(await request.locator('td').first().textContent()).toBe(demo.adminEmail);
    await shot(admin, 'console-08-reset-sent');

    // The customer opens the emailed link in their own browser and sets a new password.
    await sut.settle();
    const [mail] = await mailsTo(sut.dataDir, email, 'Reset your password');
    const link = new URL(linkIn(mail, '/reset-password'));
    const customer = await newPage();
    await customer.goto(`${base}${link.pathname}${link.search}`);
    await customer.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    await shot(customer, 'console-09-reset-link');
    await customer.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await customer.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await customer.getByRole('button', { name: /^Create new password/ }).click();
    await customer.getByRole('heading', { name: `Hello, ${accountName}` }).waitFor();
    await shot(customer, 'console-10-password-set');

    // Signed out, the customer signs in with the new password.
    await customer.getByRole('button', { name: 'Sign out' }).click();
    await signIn(customer, email, NEW_PASSWORD);
    await customer.getByRole('heading', { name: `Hello, ${accountName}` }).waitFor();
    await shot(customer, 'console-11-customer-signed-in');

    // The admin sees the request as used, and the trail says who did what.
    await admin.reload();
    await request.locator('.badge', { hasText: 'Used' }).waitFor();
    await admin.getByRole('link', { name: 'Audit' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    await admin.getByLabel('Action').selectOption({ label: 'Password reset requested' });
    await admin.getByRole('button', { name: 'Filter' }).click();
    const event = admin.locator('tbody tr').first();
    await event.waitFor();
    expect(await admin.locator('tbody tr').count()).toBe(1);
    expect(await event.locator('td').allTextContents()).toEqual([
      demo.adminEmail,
      'Password reset requested',
      'Globex Labs',
      email,
      '127.0.0.1',
      '',
    ]);
    await shot(admin, 'console-12-audit');
  });

  it('a partner admin adds a license, is told what is wrong next to the field, and suspends it', async () => {
    const admin = await newPage();
    await admin.goto(`${base}/partner/customers?q=hooli%20labs`);
    await signIn(admin, demo.adminEmail, demo.adminPassword!);
    await admin.getByRole('link', { name: 'Hooli Labs' }).click();
    await admin
      .getByRole('navigation', { name: 'Customer sections' })
      .getByRole('link', { name: /^Licenses/ })
      .click();
    await admin.getByRole('link', { name: 'Add license' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Add a license' }).waitFor();

    await admin.getByLabel('Product').fill('LMP Mail Security');
    await admin.getByLabel('Seats').fill('0');
    await admin.getByLabel('Starts on').fill('2031-03-01');
    await admin.getByLabel('Expires on').fill('2030-03-01');
    await admin.getByRole('button', { name: 'Add license' }).click();
    expect(await admin.locator('#seats-error').textContent()).toBe('Enter a whole number of seats, at least 1.');
    expect(await admin.getByLabel('Seats').getAttribute('aria-invalid')).toBe('true');

    await admin.getByLabel('Seats').fill('25');
    await admin.getByRole('button', { name: 'Add license' }).click();
    expect(await admin.locator('#expiresAt-error').textContent()).toBe('The expiry date must be after the start date.');
    expect(await admin.getByRole('alert').textContent()).toContain('One field needs your attention');
    await shot(admin, 'console-14-license-error');

    await admin.getByLabel('Starts on').fill('2025-03-01');
    await admin.getByRole('button', { name: 'Add license' }).click();
    await admin.getByRole('status').filter({ hasText: 'License added.' }).waitFor();
    const row = admin.locator('tbody tr', { hasText: 'LMP Mail Security' });
    expect(await row.locator('td').allTextContents()).toEqual([
      '25',
      '1 Mar 2025',
      '1 Mar 2030',
      'Active',
      // The row's actions: edit, and renew (a period or a new date).
      'Edit LMP Mail Security license Renew LMP Mail Security license',
    ]);

    await row.getByRole('link', { name: /^Edit/ }).click();
    await admin.getByLabel('Status').selectOption('suspended');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.getByRole('status').filter({ hasText: 'License saved.' }).waitFor();
    expect(await row.locator('.badge').textContent()).toBe('Suspended');
  });

  it('a partner_support user browses and resets, but sees no edit controls and gets 403 from edits', async () => {
    const support = await newPage();
    await support.goto(`${base}/login`);
    await signIn(support, SUPPORT_EMAIL, demo.adminPassword!);
    await support.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    expect(await support.getByText('Partner support').isVisible()).toBe(true);
    expect(await support.getByRole('link', { name: 'Add customer' }).count()).toBe(0);

    await support.getByRole('link', { name: 'Acme Systems' }).click();
    await support.getByRole('heading', { level: 1, name: 'Acme Systems' }).waitFor();
    const customerUrl = new URL(support.url()).pathname;
    expect(await support.getByRole('link', { name: 'Edit customer' }).count()).toBe(0);
    expect(await support.getByRole('link', { name: 'Add account' }).count()).toBe(0);
    await support
      .getByRole('navigation', { name: 'Customer sections' })
      .getByRole('link', { name: /^Licenses/ })
      .click();
    await support.getByRole('heading', { name: 'Licenses' }).waitFor();
    expect(await support.getByRole('link', { name: 'Add license' }).count()).toBe(0);
    expect(await support.getByRole('link', { name: /^Edit/ }).count()).toBe(0);

    await support.getByRole('link', { name: /^Accounts/ }).click();
    await support.locator('tbody th a').first().click();
    await support.getByRole('link', { name: 'Reset password' }).waitFor();
    expect(await support.getByRole('link', { name: 'Edit account' }).count()).toBe(0);
    await shot(support, 'console-13-support-account');

    // The edit pages and the JSON API refuse, whatever the page shows.
    const edit = await support.goto(`${base}${customerUrl}/edit`);
    expect(edit?.status()).toBe(403);
    expect(await support.getByRole('heading', { level: 1 }).textContent()).toBe('Forbidden');
    const customerId = customerUrl.split('/').pop()!;
    const patch = await support.request.patch(`${base}/api/v1/partner/customers/${customerId}`, {
      data: { companyName: 'Renamed by support' },
    });
    expect(patch.status()).toBe(403);
    const read = await support.request.get(`${base}/api/v1/partner/customers/${customerId}`);
    expect(await read.json()).toMatchObject({ companyName: 'Acme Systems' });
  });
});
