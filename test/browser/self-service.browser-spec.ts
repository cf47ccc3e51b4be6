import { Page } from 'playwright-core';
import { linkIn, mailsTo } from '../support/mail';
import { BrowserHarness, startBrowserHarness } from './harness';

const EMAIL = 'riley@selfserve.example.com';

/** A customer signs up, verifies the address, signs in, forgets the password and resets it, in Chromium. */
describe('self-service in the browser', () => {
  let h: BrowserHarness;
  let page: Page;

  beforeAll(async () => {
    h = await startBrowserHarness();
    page = await h.browser.newPage();
  });

  afterAll(() => h?.close());

  /** The newest link of a subject to EMAIL, pointed at this test's server. */
  async function newestLink(subject: string, path: string): Promise<string> {
    await h.sut.settle();
    const mails = (await mailsTo(h.sut.dataDir, EMAIL, subject)).sort((a, b) => a.date - b.date);
    return h.local(linkIn(mails[mails.length - 1], path));
  }

  const shot = (name: string) => h.shot(page, `self-${name}`);

  it('signs up, verifies, signs in, resets a forgotten password and signs in with it', async () => {
    await page.goto(`${h.base}/login`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill('password1');
    await page.getByLabel('First name').fill('Riley');
    await page.getByLabel('Last name').fill('Quinn');
    await page.getByRole('button', { name: 'Create account' }).click();
    // A common password: the form comes back with the error next to the field, the rest kept.
    expect(await page.locator('#password-error').textContent()).toContain('too common');
    expect(await page.getByLabel('First name').inputValue()).toBe('Riley');
    await shot('1-signup-error');
    await page.getByLabel('Password', { exact: true }).fill('riley picks a long one');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await shot('2-signup-done');

    // Signed in before verifying: the banner, then the link verifies the address.
    await page.goto(`${h.base}/login`);
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill('riley picks a long one');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Your email address is not verified.').waitFor();
    await shot('3-unverified-banner');
    await page.goto(await newestLink('Verify your email address', '/verify-email'));
    await page.getByRole('button', { name: 'Verify email address' }).click();
    await page.getByText('Your email address is verified.').waitFor();
    expect(await page.getByText('Your email address is not verified.').count()).toBe(0);
    await shot('4-verified');

    // Signed out, forgot the password: the link sets a new one and signs in.
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email address').fill(EMAIL.toUpperCase());
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await shot('5-forgot-done');
    await page.goto(await newestLink('Reset your password', '/reset-password'));
    await page.getByLabel('New password', { exact: true }).fill('riley resets it now');
    await page.getByLabel('Confirm new password').fill('riley resets it now');
    await page.getByRole('button', { name: 'Create new password and sign in' }).click();
    await page.getByText('Your new password is set').waitFor();
    await shot('6-reset-signed-in');

    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill('riley resets it now');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Riley Quinn' }).waitFor();
    await shot('7-signed-in');
  });
});
