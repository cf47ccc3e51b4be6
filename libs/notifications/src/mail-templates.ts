import { MailTemplate } from './jobs';

/** The props each mail template renders. Every one has html, text and a subject. */
export interface MailTemplateProps {
  [MailTemplate.Invitation]: {
    firstName: string;
    companyName: string;
    /** The partner that created the account; null when the company's own administrator did. */
    partnerName: string | null;
    link: string;
    expiresInHours: number;
  };
  [MailTemplate.PasswordReset]: {
    firstName: string;
    link: string;
    expiresInMinutes: number;
    /** Set when a partner admin asked for the reset, so the customer knows who did. */
    partnerName: string | null;
  };
  [MailTemplate.PasswordChanged]: {
    firstName: string;
    changedAt: string;
    signInLink: string;
    /** The "this wasn't me" link, when the owner changed the password while signed in. */
    notMeLink: string | null;
  };
  [MailTemplate.EmailVerify]: {
    firstName: string;
    link: string;
    expiresInHours: number;
  };
  /** Sent to the owner of an address someone tried to sign up with again. */
  [MailTemplate.SignupAttempt]: {
    firstName: string;
    signInLink: string;
    forgotPasswordLink: string;
  };
  [MailTemplate.AccountLocked]: {
    firstName: string;
    minutes: number;
    forgotPasswordLink: string;
  };
  /** To the new address: the change happens when this link is used. */
  [MailTemplate.EmailChangeVerify]: {
    firstName: string;
    newEmail: string;
    link: string;
    expiresInHours: number;
  };
  /** To the old address: a change was asked for, with the "this wasn't me" link. */
  [MailTemplate.EmailChangeRequested]: {
    firstName: string;
    newEmail: string;
    notMeLink: string;
  };
  /** After "this wasn't me": the account is locked; the link sets a new password. */
  [MailTemplate.AccountRecovery]: {
    firstName: string;
    link: string;
    expiresInMinutes: number;
    forgotPasswordLink: string;
  };
  /** To every full-access user of a company when a partner admin promoted one of its users. */
  [MailTemplate.RolePromoted]: {
    firstName: string;
    promotedName: string;
    promotedEmail: string;
    companyName: string;
    partnerName: string;
  };
  /** A sign-in or set-up code for the email method. */
  [MailTemplate.MfaCode]: {
    firstName: string;
    code: string;
    minutes: number;
    /** "sign in" or "confirm this address for two-factor authentication". */
    purpose: string;
  };
  /** Any change of the user's two-factor settings other than turning it off. */
  [MailTemplate.MfaChanged]: {
    firstName: string;
    change: string;
    changedAt: string;
    securityLink: string;
  };
  [MailTemplate.MfaDisabled]: {
    firstName: string;
    changedAt: string;
    /** The partner that turned it off for the user (who had lost every factor); null: the user did. */
    disabledBy: string | null;
    securityLink: string;
    forgotPasswordLink: string;
  };
  [MailTemplate.RecoveryCodesLow]: {
    firstName: string;
    left: number;
    securityLink: string;
  };
  /** To the owner of an address someone tried to invite into another tenant: nothing happened. */
  [MailTemplate.InvitationAttempt]: {
    firstName: string;
    signInLink: string;
  };
  /** To every partner admin when one of them creates an API token. */
  [MailTemplate.ApiTokenCreated]: ApiTokenNotice;
  /** To every partner admin when one of them revokes an API token. */
  [MailTemplate.ApiTokenRevoked]: ApiTokenNotice;
  /** To a partner's admins when one of its webhooks was disabled because its deliveries kept failing. */
  [MailTemplate.WebhookDisabled]: {
    firstName: string;
    url: string;
    deadInARow: number;
    lastError: string;
    webhooksLink: string;
  };
  /** To a customer's Full Access users when a license reaches one of its partner's thresholds. */
  [MailTemplate.LicenseExpiring]: {
    firstName: string;
    companyName: string;
    partnerName: string;
    product: string;
    seats: number;
    /** The expiry as people read it: "8 March 2030". */
    expiresOn: string;
    daysLeft: number;
    licensesLink: string;
  };
  /** The notice on the day a license expires (or late, when the scanner catches up). */
  [MailTemplate.LicenseExpired]: {
    firstName: string;
    companyName: string;
    partnerName: string;
    product: string;
    seats: number;
    expiresOn: string;
    /** Days of the partner's grace period still left (0: none). */
    graceDaysLeft: number;
    licensesLink: string;
  };
  /** To each partner admin, at most once a day: every license that reached a notice. */
  [MailTemplate.LicenseDigest]: {
    firstName: string;
    partnerName: string;
    count: number;
    /** One line per license (see formatDigestItems). */
    items: string;
    licensesLink: string;
  };
  /** To a customer's Full Access users when their partner renewed a license. */
  [MailTemplate.LicenseRenewed]: {
    firstName: string;
    companyName: string;
    partnerName: string;
    product: string;
    seats: number;
    expiresOn: string;
    licensesLink: string;
  };
}

/** What partner admins are told about a created or revoked API token. */
// A type, not an interface: the outbox stores flat props, which only a type alias is taken for.
export type ApiTokenNotice = {
  firstName: string;
  partnerName: string;
  tokenName: string;
  /** The scopes, comma-separated. */
  scopes: string;
  /** The admin who did it. */
  changedBy: string;
  changedAt: string;
  tokensLink: string;
};

export const MAIL_SUBJECTS: { [K in MailTemplate]: string } = {
  [MailTemplate.Invitation]: 'You have been invited to LMP',
  [MailTemplate.PasswordReset]: 'Reset your password',
  [MailTemplate.PasswordChanged]: 'Your password was changed',
  [MailTemplate.EmailVerify]: 'Verify your email address',
  [MailTemplate.SignupAttempt]: 'Someone tried to sign up with your email address',
  [MailTemplate.AccountLocked]: 'Your account is locked for a while',
  [MailTemplate.EmailChangeVerify]: 'Confirm your new email address',
  [MailTemplate.EmailChangeRequested]: 'Your email address is being changed',
  [MailTemplate.AccountRecovery]: 'Your account is locked: recover it',
  [MailTemplate.RolePromoted]: 'A user of your company now has Full Access',
  [MailTemplate.MfaCode]: 'Your LMP security code',
  [MailTemplate.MfaChanged]: 'Your two-factor authentication settings changed',
  [MailTemplate.MfaDisabled]: 'Two-factor authentication has been disabled',
  [MailTemplate.RecoveryCodesLow]: 'You are running out of recovery codes',
  [MailTemplate.InvitationAttempt]: 'Someone tried to invite you to LMP',
  [MailTemplate.ApiTokenCreated]: 'A new API token was created for your partner account',
  [MailTemplate.ApiTokenRevoked]: 'An API token of your partner account was revoked',
  [MailTemplate.WebhookDisabled]: 'A webhook was disabled after failed deliveries',
  [MailTemplate.LicenseExpiring]: 'A license of your company expires soon',
  [MailTemplate.LicenseExpired]: 'A license of your company reached its end date',
  [MailTemplate.LicenseDigest]: "Your customers' licenses that expire soon",
  [MailTemplate.LicenseRenewed]: 'A license of your company was renewed',
};

/** Props that carry a link with a secret, logged only by the file transport of the embedded mode. */
export const LINK_PROPS = ['link', 'notMeLink'] as const;
