import { readFileSync } from 'node:fs';
import { Page } from 'playwright-core';
import { totpCode } from '@lmp/identity';
import { companyWithAdmin, USER_PASSWORD } from '../support/account-flow';
import { mailsTo } from '../support/mail';
import { ADMIN_PASSWORD, partnerWithAdmin } from '../support/fixtures';
import { BrowserHarness, signOutFromMenu, startBrowserHarness } from './harness';

const WRONG = 'That code is not correct, has expired or was used already.';

/**
 * Two-factor authentication in Chromium: a customer user sets up an authenticator app from the
 * key on the page, keeps the recovery codes, and signs in again with a code and with a recovery
 * code; partner staff whose partner requires 2FA are led to the set-up before anything else.
 */
describe('two-factor authentication in the browser', () => {
  let h: BrowserHarness;

  beforeAll(async () => {
    h = await startBrowserHarness();
  });

  afterAll(() => h?.close());

  /** What the authenticator app shows now, by the console's clock. */
  const appCode = (secret: string) => totpCode(secret, h.sut.clock.now());

  /**
   * A code is accepted once per 30-second step, and the last one was just used: move the
   * console's clock on to the next step rather than wait for it.
   */
  const nextStep = () => h.sut.clock.advance(30_000);

  /** A code the server refuses now: none of the previous, current and next step's. */
  function wrongCode(secret: string): string {
    const now = h.sut.clock.now().getTime();
    const near = [-30_000, 0, 30_000].map((d) => totpCode(secret, new Date(now + d)));
    return ['000000', '111111', '222222'].find((c) => !near.includes(c))!;
  }

  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${h.base}/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** From the security page: the app's key read off the page, confirmed with its code. */
  async function setUpApp(page: Page, shot?: (name: string) => Promise<unknown>) {
    await page.getByRole('link', { name: 'Set up Authenticator app' }).click();
    await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
    await page.getByRole('button', { name: 'Show the QR code' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    const key = page.getByTestId('totp-secret');
    const secret = (await key.getAttribute('data-secret'))!;
    expect((await key.textContent())!.replace(/\s/g, '')).toBe(secret);
    await shot?.('2-qr-code');
    if (shot) {
      await page.getByLabel('Code from your app').fill(wrongCode(secret));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.locator('#code-error').getByText('The code is not correct.').waitFor();
      expect(await page.getByLabel('Code from your app').getAttribute('aria-invalid')).toBe('true');
      await shot('3-wrong-code');
    }
    await page.getByLabel('Code from your app').fill(appCode(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const codes = await page.locator('.recovery-codes code').allTextContents();
    expect(codes).toHaveLength(10);
    return { secret, codes };
  }

  it('sets up an authenticator app and signs in with its codes, then with a recovery code', async () => {
    const co = await companyWithAdmin(h.sut.app, 'brtf');
    const page = await h.browser.newPage({ viewport: { width: 1280, height: 860 } });
    const shot = (name: string) => h.shot(page, `two-factor-${name}`);

    await signIn(page, co.admin.email, USER_PASSWORD);
    await page.getByRole('heading', { name: /^Hello, / }).waitFor();
    await page.getByRole('link', { name: 'Security' }).click();
    const section = page.getByRole('region', { name: 'Two-factor authentication' });
    await section.getByText('Off', { exact: true }).waitFor();
    await shot('1-off');

    const { secret, codes } = await setUpApp(page, shot);
    await page.getByText('Two-factor authentication is on.').waitFor();
    await shot('4-recovery-codes');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download as text' }).click();
    const file = await (await download).path();
    expect(readFileSync(file, 'utf8')).toContain(codes.join('\n'));

    await page.getByRole('link', { name: 'I have saved them' }).click();
    await page.getByText('Two-factor authentication is on. Keep your recovery codes').waitFor();
    await section.getByText('On', { exact: true }).waitFor();
    await section.getByRole('rowheader', { name: /Authenticator app\s+Default/ }).waitFor();
    await section.getByText('You have one method. Set up a second one').waitFor();
    expect(await section.getByText('10 of 10').count()).toBe(1);
    await shot('5-on');

    // Signing in again: the password, then a code from the app.
    await signOutFromMenu(page);
    await signIn(page, co.admin.email, USER_PASSWORD);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await page.getByText('Enter the 6-digit code from your authenticator app.').waitFor();
    await shot('6-second-step');
    await page.getByLabel('Verification code').fill(wrongCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').getByText(WRONG).waitFor();
    await shot('7-wrong-code');
    nextStep();
    await page.getByLabel('Verification code').fill(appCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: /^Hello, / }).waitFor();

    // And with a recovery code, when the phone is not at hand.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signIn(page, co.admin.email, USER_PASSWORD);
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(codes[3]);
    await shot('8-recovery-code');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: /^Hello, / }).waitFor();
    await page.goto(`${h.base}/account/security`);
    expect(await section.getByText('9 of 10').count()).toBe(1);
    await page.close();
  });

  it('leads partner staff to the set-up when their partner requires 2FA', async () => {
    const { adminEmail } = await partnerWithAdmin(h.sut.app, undefined, { requireStaffMfa: true });
    const page = await h.browser.newPage({ viewport: { width: 1280, height: 860 } });
    const shot = (name: string) => h.shot(page, `two-factor-${name}`);

    await signIn(page, adminEmail, ADMIN_PASSWORD);
    await page
      .getByText('Your organisation requires two-factor authentication. Set up a method to continue.')
      .waitFor();
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/account/security?setup=required');
    expect(await page.getByRole('heading', { name: 'Change password' }).count()).toBe(0);
    await shot('9-required');
    // Until then every other page leads back here.
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Two-factor authentication' }).waitFor();

    await setUpApp(page);
    await page.getByRole('link', { name: 'I have saved them' }).click();
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();

    await page.getByRole('link', { name: 'Settings' }).click();
    const box = page.getByLabel('Require two-factor authentication for partner staff');
    expect(await box.isChecked()).toBe(true);
    await box.uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(await box.isChecked()).toBe(false);
    await shot('10-partner-settings');
    await page.close();
  });

  it('adds an email method with an emailed code, and asks for the password before removing one', async () => {
    const co = await companyWithAdmin(h.sut.app, 'brtm');
    const page = await h.browser.newPage({ viewport: { width: 1280, height: 860 } });
    const shot = (name: string) => h.shot(page, `two-factor-${name}`);
    await signIn(page, co.admin.email, USER_PASSWORD);
    await page.getByRole('link', { name: 'Security' }).click();
    await setUpApp(page);
    await page.getByRole('link', { name: 'I have saved them' }).click();

    const address = `codes-${co.admin.email}`;
    await page.getByRole('link', { name: 'Set up Email' }).click();
    await page.getByRole('heading', { name: 'Set up email codes' }).waitFor();
    expect(await page.getByLabel('Email address').inputValue()).toBe(co.admin.email);
    await page.getByLabel('Email address').fill(address);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByText('We sent a 6-digit code by email to').waitFor();
    await shot('11-email-code');
    await h.sut.settle();
    const [mail] = await mailsTo(h.sut.dataDir, address, 'Your LMP security code');
    await page.getByLabel('Code from the email').fill(/\b(\d{6})\b/.exec(mail.text)![1]);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('The new two-factor method is set up.').waitFor();
    await shot('12-two-methods');

    await page.getByRole('link', { name: 'Remove Authenticator app' }).click();
    await page.getByRole('heading', { name: 'Remove Authenticator app?' }).waitFor();
    await page.getByLabel('Your password').fill('not my password');
    await page.getByRole('button', { name: 'Remove method' }).click();
    await page.locator('#password-error').getByText('That password is not correct.').waitFor();
    await shot('13-remove-confirm');
    await page.getByLabel('Your password').fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Remove method' }).click();
    await page.getByText('The two-factor method is removed.').waitFor();
    const section = page.getByRole('region', { name: 'Two-factor authentication' });
    await section.getByRole('rowheader', { name: /^Email to c•••@\S+\s+Default$/ }).waitFor();
    expect(await section.getByRole('rowheader').count()).toBe(1);
    await page.close();
  });
});
