import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { DAY_MS } from '@lmp/common';
import { newId, User } from '@lmp/database';
import { PasswordHasher } from '@lmp/identity';
import { ADMIN_PASSWORD, partnerWithAdmin } from '../support/fixtures';
import { RunningConsole } from '../support/console-app';
import { BrowserHarness, startBrowserHarness } from './harness';

/**
 * Licenses in Chromium: a customer's user signs in, sees the summary on the home page and the
 * company's Licenses page; the partner's admin filters its Licenses page to the expiring ones.
 */
describe('licenses in the browser', () => {
  let h: BrowserHarness;
  let sut: RunningConsole;
  let browser: Browser;
  let base: string;
  let adminEmail: string;
  const customerEmail = 'olga@lumen-customer.example.com';
  const contexts: BrowserContext[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    return context.newPage();
  }

  async function signIn(page: Page, email: string) {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  beforeAll(async () => {
    h = await startBrowserHarness();
    ({ sut, browser, base } = h);
    const p = await partnerWithAdmin(sut.app);
    adminEmail = p.adminEmail;
    const c = await p.agent
      .post('/api/v1/partner/customers')
      .send({ companyName: 'Lumen Ltd', country: 'NL' })
      .expect(201);
    const add = (product: string, days: number) =>
      p.agent
        .post(`/api/v1/partner/customers/${c.body.id}/licenses`)
        .send({
          product,
          seats: 12,
          startsAt: new Date(Date.now() - 100 * DAY_MS).toISOString(),
          expiresAt: new Date(Date.now() + days * DAY_MS).toISOString(),
        })
        .expect(201);
    await add('Lumen Design', 9);
    await add('Lumen Office', 250);
    const now = new Date();
    await sut.app
      .get(DataSource)
      .getRepository(User)
      .insert({
        id: newId(),
        email: customerEmail,
        passwordHash: await sut.app.get(PasswordHasher).hash(ADMIN_PASSWORD),
        status: 'active',
        emailVerifiedAt: now,
        firstName: 'Olga',
        lastName: 'Lumen',
        userType: 'company',
        partnerId: null,
        customerId: c.body.id,
        role: 'read_only',
        createdAt: now,
        updatedAt: now,
      });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await h?.close();
  });

  it("a customer's user sees the summary and the company's licenses", async () => {
    const page = await newPage();
    await signIn(page, customerEmail);
    await page.getByRole('heading', { level: 1, name: /Hello/ }).waitFor();
    const summary = page.getByText(/2 in use, 1 expiring soon\. Next expiry: Lumen Design on/);
    expect(await summary.count()).toBe(1);
    await h.shot(page, 'licenses-01-customer-home');

    await page.getByRole('link', { name: 'See every license' }).click();
    await page.getByRole('heading', { level: 1, name: 'Licenses' }).waitFor();
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/Lumen Design\s+12\s+Expiring/);
    expect(rows[1]).toMatch(/Lumen Office\s+12\s+Active/);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Licenses' }).getAttribute('aria-current')).toBe('page');
    await h.shot(page, 'licenses-02-customer-licenses');
  });

  it("the partner's admin filters the Licenses page to expiring ones", async () => {
    const page = await newPage();
    await signIn(page, adminEmail);
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    expect(await page.locator('tbody tr', { hasText: 'Lumen Ltd' }).getByText('Expiring').count()).toBe(1);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
    await page.getByRole('heading', { level: 1, name: 'Licenses' }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(2);
    await page.getByLabel('Status').selectOption('expiring');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=expiring/);
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('Lumen Design');
    await h.shot(page, 'licenses-03-partner-expiring');

    await page.getByRole('link', { name: 'Lumen Ltd', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Lumen Ltd' }).waitFor();
  });
});
