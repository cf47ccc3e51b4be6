import { MfaSignInService } from '@lmp/identity';
import { page, Page } from '../web/page-result';
import { secondStep } from './sign-in-mfa';

/** Notices shown once after a redirect (`?notice=`), so that a reload does not repeat a POST. */
export const NOTICES: Record<string, string> = {
  'password-set': 'Your new password is set, and you are signed in. Every other device was signed out.',
  verified: 'Your email address is verified.',
  'verification-sent': 'We sent a new verification email. The link in it works for 24 hours.',
};

/** Why the sign-in form is shown again (`?notice=`): the second step ended without a session. */
export const SIGN_IN_INFO: Record<string, string> = {
  'mfa-ended':
    'Your sign-in ended: too many wrong codes, or more than 10 minutes passed. Sign in again with your password.',
};

/** One of a page's fixed texts by its key; nothing for any other value. */
export const fixedText = (texts: Record<string, string>, key: unknown): string | undefined =>
  typeof key === 'string' && Object.hasOwn(texts, key) ? texts[key] : undefined;

type PendingSignIn = NonNullable<Awaited<ReturnType<MfaSignInService['pending']>>>;

export interface SecondStepAsk {
  methodId?: string;
  recovery: boolean;
  next: string;
  notice?: string;
  error?: string;
}

/** The second step's page: a code from one of the pending sign-in's methods, or a recovery code. */
export function secondStepPage(
  pending: PendingSignIn,
  ask: SecondStepAsk,
  status = 200,
  headers?: Record<string, string>,
): Page {
  return page(
    'auth/login-mfa',
    {
      title: 'Two-step verification',
      email: pending.user.email,
      next: ask.next,
      notice: ask.notice,
      error: ask.error,
      step: secondStep(pending.methods, ask),
    },
    { csrf: true, status, headers },
  );
}
