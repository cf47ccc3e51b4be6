import { Page } from 'playwright-core';
import { Company, companyWithAdmin, USER_PASSWORD } from '../support/account-flow';
import { linkIn, mailsTo } from '../support/mail';
import { BrowserHarness, startBrowserHarness } from './harness';

/**
 * My Profile in Chromium: the menu under the name (without JavaScript too), changing the sign-in
 * address from its page, and the profile form's inputs looking alike.
 */
describe('my profile in the browser', () => {
  let h: BrowserHarness;
  let page: Page;
  let co: Company;

  beforeAll(async () => {
    h = await startBrowserHarness();
    co = await companyWithAdmin(h.sut.app, 'brp');
    page = await h.browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(() => h?.close());

  async function signIn(p: Page, email: string, password: string) {
    await p.goto(`${h.base}/login`);
    await p.getByLabel('Email address').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: /^Hello, / }).waitFor();
  }

  it('opens the menu under the name, without JavaScript too, and goes to My Profile', async () => {
    const context = await h.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    const noScript = await context.newPage();
    await signIn(noScript, co.admin.email, USER_PASSWORD);
    await noScript.goto(`${h.base}/company/users`);
    const myProfile = noScript.getByRole('link', { name: 'My Profile' });
    expect(await myProfile.isVisible()).toBe(false);
    await noScript.locator('.usermenu summary').click();
    await h.shot(noScript, 'profile-1-menu');
    await myProfile.click();
    await noScript.getByRole('heading', { name: 'Edit profile' }).waitFor();
    await noScript.locator('.usermenu summary').click();
    await noScript.locator('.usermenu').getByRole('button', { name: 'Sign out' }).click();
    await noScript.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('styles the phone input like the other text inputs', async () => {
    await signIn(page, co.admin.email, USER_PASSWORD);
    await page.goto(`${h.base}/account/profile`);
    // Width, padding, border and font as the browser draws them (the tests compile without the DOM types).
    type Styles = Record<
      'width' | 'paddingTop' | 'paddingLeft' | 'borderTopWidth' | 'borderTopColor' | 'fontSize',
      string
    >;
    const look = (label: RegExp | string) =>
      page.getByLabel(label).evaluate((el) => {
        const s = (globalThis as unknown as { getComputedStyle(e: unknown): Styles }).getComputedStyle(el);
        return [s.width, s.paddingTop, s.paddingLeft, s.borderTopWidth, s.borderTopColor, s.fontSize];
      });
    // City is the full-width text input below it.
    expect(await look(/^Phone/)).toEqual(await look(/^City/));
  });

  it('changes the sign-in address from My Profile: errors first, then where the link went', async () => {
    const newEmail = `moved-${co.admin.email}`;
    await page.goto(`${h.base}/account/profile`);
    await page.getByRole('link', { name: 'Change email address' }).click();
    await page.getByRole('heading', { name: 'Change email address' }).waitFor();
    await page.getByRole('heading', { name: 'What happens next' }).waitFor();
    await page.getByLabel('New email address').fill(newEmail);
    await page.getByLabel('Your password').fill('not my password');
    await page.getByRole('button', { name: 'Send the link' }).click();
    expect(await page.locator('#password-error').textContent()).toBe('Your password is not correct.');
    expect(await page.getByLabel('New email address').inputValue()).toBe(newEmail);
    await h.shot(page, 'profile-2-change-email-error');

    await page.getByLabel('Your password').fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText(`We sent a link to ${newEmail}.`).waitFor();
    await h.shot(page, 'profile-3-change-email-sent');

    await h.sut.settle();
    const [mail] = await mailsTo(h.sut.dataDir, newEmail, 'Confirm your new email address');
    await page.goto(h.local(linkIn(mail, '/confirm-email')));
    await page.getByRole('button', { name: 'Confirm new email address' }).click();
    await page.getByRole('heading', { name: 'Your email address is changed' }).waitFor();
    await page.goto(`${h.base}/account/profile`);
    await page.getByText(`Signed in as ${newEmail}`).waitFor();
  });
});
