import { MailTemplate } from './jobs';

/** The props each mail template renders. Every one has html, text and a subject. */
export interface MailTemplateProps {
  [MailTemplate.Invitation]: {
    firstName: string;
    companyName: string;
    partnerName: string;
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
  };
}

export const MAIL_SUBJECTS: { [K in MailTemplate]: string } = {
  [MailTemplate.Invitation]: 'You have been invited to LMP',
  [MailTemplate.PasswordReset]: 'Reset your password',
  [MailTemplate.PasswordChanged]: 'Your password was changed',
};

/** Props that carry a link with a secret, logged only by the file transport of the embedded mode. */
export const LINK_PROPS = ['link'] as const;
