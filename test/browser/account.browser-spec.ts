import { Page } from 'playwright-core';
import { Company, companyWithAdmin, USER_PASSWORD } from '../support/account-flow';
import { mailsTo } from '../support/mail';
import { BrowserHarness, signOutFromMenu, startBrowserHarness } from './harness';

const NEW_PASSWORD = 'a page-changed passphrase';

/** A customer user edits the profile, password, subscriptions and company users, in Chromium. */
describe('my account in the browser', () => {
  let h: BrowserHarness;
  let page: Page;
  let co: Company;

  beforeAll(async () => {
    h = await startBrowserHarness();
    co = await companyWithAdmin(h.sut.app, 'brw');
    page = await h.browser.newPage();
  });

  afterAll(() => h?.close());

  const shot = (name: string) => h.shot(page, `account-${name}`);

  async function signInAs(password: string) {
    await page.goto(`${h.base}/login`);
    await page.getByLabel('Email address').fill(co.admin.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Hello, / }).waitFor();
  }

  it('edits the profile, with an error next to the field first', async () => {
    await signInAs(USER_PASSWORD);
    await page.getByRole('link', { name: 'Profile' }).first().click();
    await page.getByRole('heading', { name: 'Edit profile' }).waitFor();
    await page.getByLabel('Personal').check();
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByLabel(/^Phone/).fill('12345');
    await page.getByLabel('Country').selectOption('GB');
    await page.getByLabel(/^City/).fill('London');
    await page.getByRole('button', { name: 'Save profile' }).click();
    expect(await page.locator('#phone-error').textContent()).toContain('Enter a valid phone number');
    expect(await page.getByLabel('First name').inputValue()).toBe('Grace');
    await shot('1-profile-error');
    await page.getByLabel(/^Phone/).fill('020 7946 0958');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Your profile is saved.').waitFor();
    expect(await page.getByLabel(/^Phone/).inputValue()).toBe('+442079460958');
    expect(await page.getByLabel('Country').inputValue()).toBe('GB');
    expect(await page.getByLabel('Personal').isChecked()).toBe(true);
    expect(await page.locator('.who-name').textContent()).toBe('Grace Hopper');
    await shot('2-profile-saved');
  });

  it('changes the password, stays signed in, and signs in with the new one', async () => {
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.locator('#currentPassword-error').textContent()).toContain('not correct');
    await page.getByLabel('Current password').fill(USER_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();
    await page.getByText('This device').waitFor();
    await shot('3-password-changed');
    // Still signed in on a fresh page load.
    await page.goto(`${h.base}/account/security`);
    await page.getByRole('heading', { name: 'Active sessions' }).waitFor();

    await signOutFromMenu(page);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signInAs(NEW_PASSWORD);
  });

  it('toggles the subscriptions, kept after a reload', async () => {
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    const newsletter = page.getByLabel('Newsletter');
    const promotions = page.getByLabel('Special offers, promotions and surveys');
    expect(await newsletter.isChecked()).toBe(false);
    await newsletter.check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your email preferences are saved.').waitFor();
    await page.reload();
    expect(await newsletter.isChecked()).toBe(true);
    expect(await promotions.isChecked()).toBe(false);
    await newsletter.uncheck();
    await promotions.check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.goto(`${h.base}/account/subscriptions`);
    expect(await newsletter.isChecked()).toBe(false);
    expect(await promotions.isChecked()).toBe(true);
    await shot('4-subscriptions');
  });

  it('adds a company user, who gets an invitation; the last Full Access user cannot be removed', async () => {
    const email = `colleague@${co.customerId.slice(0, 8)}.example.com`;
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Add user' }).waitFor();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('First name').fill('Cole');
    await page.getByLabel('Last name').fill('League');
    await page.getByLabel('Role', { exact: true }).selectOption('read_only');
    await page.getByRole('button', { name: 'Add user and send invitation' }).click();
    await page.getByText(`An invitation to set a password was emailed to ${email}.`).waitFor();
    await page.getByRole('cell', { name: email }).waitFor();
    await shot('5-user-added');
    await h.sut.settle();
    expect(await mailsTo(h.sut.dataDir, email, 'You have been invited to LMP')).toHaveLength(1);

    await page.getByRole('link', { name: 'Remove Grace Hopper' }).click();
    await page.getByRole('button', { name: 'Remove user' }).click();
    await page.getByText('A company needs at least one Full Access user.').waitFor();
    await shot('6-last-admin');
  });
});
