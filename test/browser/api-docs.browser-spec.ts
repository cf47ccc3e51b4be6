import { Browser, BrowserContext, Page } from 'playwright-core';
import { BrowserHarness, startBrowserHarness } from './harness';

/**
 * The API reference at /api/docs in Chromium: swagger-ui from this origin, under the console's
 * strict CSP (nothing refused, no error in the console), lists the operations of the document.
 */
describe('the API reference page', () => {
  let h: BrowserHarness;
  let browser: Browser;
  let base: string;
  let context: BrowserContext;

  beforeAll(async () => {
    h = await startBrowserHarness();
    ({ browser, base } = h);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await context?.close();
    await h?.close();
  });

  it('lists the operations of the OpenAPI document, with nothing blocked', async () => {
    const page: Page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      // Failed loads are reported below, with their address.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${base}/api/docs`);
    await page.getByRole('heading', { name: /LMP API/ }).waitFor();
    // Operations, grouped by tag, as swagger-ui shows them.
    const customers = page.locator('.opblock-summary-path[data-path="/api/v1/partner/customers"]');
    await customers.first().waitFor();
    expect(await customers.count()).toBe(2);
    await page.locator('.opblock-summary-path[data-path="/api/v1/partner/customers.csv"]').waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(40);
    // One operation opened: its answers, the page of customers and the problem details.
    const op = page.locator('#operations-partner-Partner_listCustomers');
    await op.locator('.opblock-summary-control').click();
    await op.locator('tr.response[data-code="200"]').waitFor();
    await op.locator('tr.response[data-code="default"]').waitFor();
    expect(await op.locator('tr.response[data-code="200"]').innerText()).toContain('"totalCapped"');
    await h.shot(page, 'api-docs');
    expect(problems).toEqual([]);
    // Everything came from this origin.
    expect(requests.filter((u) => !u.startsWith(base) && !u.startsWith('data:'))).toEqual([]);
  });
});
