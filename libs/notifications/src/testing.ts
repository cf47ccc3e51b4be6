import { MailTemplate } from './jobs';
import { MailTemplateProps } from './mail-templates';

/** Test data for the notification specs (not part of the library's API). */

export const SAMPLE_LINK = 'https://lmp.example.com/reset-password?token=Abc_def-123&lang=en';
export const SAMPLE_NOT_ME = 'https://lmp.example.com/not-me?token=Xyz_not-me-456';

/** The created and revoked mails of an API token take the same fields. */
const API_TOKEN_MAIL = {
  firstName: 'Ada',
  partnerName: 'Northwind Reseller',
  tokenName: 'Billing sync',
  scopes: 'customers:read, licenses:write',
  changedBy: 'Grace Hopper (grace@northwind.example.com)',
  changedAt: '1 March 2030 09:30 UTC',
  tokensLink: 'https://lmp.example.com/partner/settings/api-tokens',
};

/** Sample props for every template: adding a template without a sample fails to compile. */
export const MAIL_SAMPLES: { [K in MailTemplate]: MailTemplateProps[K] } = {
  [MailTemplate.Invitation]: {
    firstName: 'Ada',
    companyName: 'Contoso Ltd',
    partnerName: 'Northwind Reseller',
    link: SAMPLE_LINK,
    expiresInHours: 72,
  },
  [MailTemplate.PasswordReset]: {
    firstName: 'Ada',
    link: SAMPLE_LINK,
    expiresInMinutes: 60,
    partnerName: 'Northwind Reseller',
  },
  [MailTemplate.PasswordChanged]: {
    firstName: 'Ada',
    changedAt: '1 March 2030 09:30 UTC',
    signInLink: 'https://lmp.example.com/login',
    notMeLink: SAMPLE_NOT_ME,
  },
  [MailTemplate.EmailVerify]: {
    firstName: 'Ada',
    link: SAMPLE_LINK,
    expiresInHours: 24,
  },
  [MailTemplate.InvitationAttempt]: {
    firstName: 'Ada',
    signInLink: 'https://lmp.example.com/login',
  },
  [MailTemplate.ApiTokenCreated]: API_TOKEN_MAIL,
  [MailTemplate.ApiTokenRevoked]: API_TOKEN_MAIL,
  [MailTemplate.SignupAttempt]: {
    firstName: 'Ada',
    signInLink: 'https://lmp.example.com/login',
    forgotPasswordLink: 'https://lmp.example.com/forgot-password',
  },
  [MailTemplate.AccountLocked]: {
    firstName: 'Ada',
    minutes: 1,
    forgotPasswordLink: 'https://lmp.example.com/forgot-password',
  },
  [MailTemplate.EmailChangeVerify]: {
    firstName: 'Ada',
    newEmail: 'ada@new.example.com',
    link: SAMPLE_LINK,
    expiresInHours: 24,
  },
  [MailTemplate.EmailChangeRequested]: {
    firstName: 'Ada',
    newEmail: 'ada@new.example.com',
    notMeLink: SAMPLE_NOT_ME,
  },
  [MailTemplate.AccountRecovery]: {
    firstName: 'Ada',
    link: SAMPLE_LINK,
    expiresInMinutes: 60,
    forgotPasswordLink: 'https://lmp.example.com/forgot-password',
  },
  [MailTemplate.RolePromoted]: {
    firstName: 'Ada',
    promotedName: 'Grace Hopper',
    promotedEmail: 'grace@contoso.example.com',
    companyName: 'Contoso Ltd',
    partnerName: 'Northwind Reseller',
  },
  [MailTemplate.MfaCode]: {
    firstName: 'Ada',
    code: '042117',
    minutes: 10,
    purpose: 'sign in to LMP',
  },
  [MailTemplate.MfaChanged]: {
    firstName: 'Ada',
    change: 'Text message to +44 ••• 0123 was added',
    changedAt: '1 March 2030 09:30 UTC',
    securityLink: 'https://lmp.example.com/account/security',
  },
  [MailTemplate.MfaDisabled]: {
    firstName: 'Ada',
    changedAt: '1 March 2030 09:30 UTC',
    disabledBy: 'Northwind Reseller',
    securityLink: 'https://lmp.example.com/account/security',
    forgotPasswordLink: 'https://lmp.example.com/forgot-password',
  },
  [MailTemplate.RecoveryCodesLow]: {
    firstName: 'Ada',
    left: 2,
    securityLink: 'https://lmp.example.com/account/security',
  },
  [MailTemplate.WebhookDisabled]: {
    firstName: 'Ada',
    url: 'https://crm.example.com/hooks/lmp',
    deadInARow: 5,
    lastError: 'the receiver answered 500',
    webhooksLink: 'https://lmp.example.com/partner/settings/webhooks',
  },
  [MailTemplate.LicenseExpiring]: {
    firstName: 'Ada',
    companyName: 'Contoso Ltd',
    partnerName: 'Northwind Reseller',
    product: 'Office Suite',
    seats: 25,
    expiresOn: '8 March 2030',
    daysLeft: 7,
    licensesLink: 'https://lmp.example.com/company/licenses',
  },
  [MailTemplate.LicenseExpired]: {
    firstName: 'Ada',
    companyName: 'Contoso Ltd',
    partnerName: 'Northwind Reseller',
    product: 'Office Suite',
    seats: 25,
    expiresOn: '8 March 2030',
    graceDaysLeft: 14,
    licensesLink: 'https://lmp.example.com/company/licenses',
  },
  [MailTemplate.LicenseDigest]: {
    firstName: 'Ada',
    partnerName: 'Northwind Reseller',
    count: 2,
    items:
      'Contoso Ltd\tOffice Suite, 25 seats, expires 8 March 2030 (in 7 days)\thttps://lmp.example.com/partner/customers/1\n' +
      'Fabrikam\tDesign Studio, 5 seats, expires 1 March 2030 (today)\thttps://lmp.example.com/partner/customers/2',
    licensesLink: 'https://lmp.example.com/partner/licenses?status=expiring',
  },
  [MailTemplate.LicenseRenewed]: {
    firstName: 'Ada',
    companyName: 'Contoso Ltd',
    partnerName: 'Northwind Reseller',
    product: 'Office Suite',
    seats: 25,
    expiresOn: '8 March 2031',
    licensesLink: 'https://lmp.example.com/company/licenses',
  },
};
