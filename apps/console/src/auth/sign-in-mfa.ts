import { MfaMethodView } from '@lmp/identity';
import { urlWith } from '../web/format';
import { FormSpec } from '../web/forms';

/** The second step of signing in, as a page: its forms and what it says about each method. */

export const SIGN_IN_CODE_FORM: FormSpec = {
  fields: { methodId: 'Choose one of your methods.', code: 'Enter the 6-digit code, such as 123456.' },
};
export const RECOVERY_CODE_FORM: FormSpec = {
  fields: { recoveryCode: 'Enter one of your recovery codes, such as abcde-fghij.' },
};

/** One answer for every refused code: wrong, expired, used already, or of another method. */
export const WRONG_CODE = 'That code is not correct, has expired or was used already.';

/** Texts shown once on the second step after a redirect (`?notice=`). */
export const SECOND_STEP_NOTICES: Record<string, string> = {
  'password-set': 'Your new password is set. To finish signing in, confirm that it is you.',
};

/** "+44 ••• 0958" out of "Text message to +44 ••• 0958": where a method's codes go. */
export function sentTo(hint: string): string {
  const at = hint.indexOf(' to ');
  return at < 0 ? hint : hint.slice(at + 4);
}

function otherWay(m: MfaMethodView): string {
  if (m.kind === 'sms') return `Text a code to ${sentTo(m.hint)}`;
  if (m.kind === 'email') return `Email a code to ${sentTo(m.hint)}`;
  return 'Use your authenticator app';
}

/**
 * The step for the method asked for (`?method=`), else the default one; the recovery-code field
 * when asked for (or when no method is left). The other methods are offered as "Try another way":
 * a link for the app, a button that sends a code for text message and email.
 */
export function secondStep(methods: MfaMethodView[], ask: { methodId?: string; recovery: boolean; next: string }) {
  const chosen = ask.recovery
    ? undefined
    : (methods.find((m) => m.id === ask.methodId) ?? methods.find((m) => m.isDefault) ?? methods[0]);
  const next = ask.next === '/' ? undefined : ask.next;
  const here = (params: Record<string, string | number>) => urlWith('/login/mfa', { ...params, next });
  return {
    recovery: !chosen,
    method: chosen
      ? {
          id: chosen.id,
          totp: chosen.kind === 'totp',
          channel: chosen.kind === 'sms' ? 'text message' : 'email',
          sentTo: sentTo(chosen.hint),
        }
      : undefined,
    others: methods
      .filter((m) => m !== chosen)
      .map((m) => ({ id: m.id, totp: m.kind === 'totp', label: otherWay(m), href: here({ method: m.id }) })),
    recoveryHref: here({ recovery: 1 }),
  };
}
