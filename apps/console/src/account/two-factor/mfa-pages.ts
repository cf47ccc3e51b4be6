import { MfaMethodView, TotpSetup } from '@lmp/identity';
import { urlWith } from '../../web/format';
import { FieldErrors } from '../../web/forms';
import { page, Page } from '../../web/page-result';
import { errorList } from '../../web/forms';
import { MFA_BASE, REAUTH_PATH, recoveryCodesPage, SetupSlug, setupHref, slugInfo } from './mfa-presenters';

/** What a code form carries from step to step: the kind, where the code went, the method it replaces. */
export interface CodeContext {
  kind: SetupSlug;
  to: string;
  replace?: string;
}

export interface Messages {
  errors?: FieldErrors;
  /** A problem that belongs to no field: a rate limit, a refused change. */
  error?: string;
  notice?: string;
  /** After a rate limit: when to try again, sent as Retry-After. */
  retryAfterSeconds?: number;
}

/** The response's Retry-After after a rate limit. */
const retryAfter = (m: Messages): Record<string, string> | undefined =>
  m.retryAfterSeconds ? { 'Retry-After': String(m.retryAfterSeconds) } : undefined;

/** "JBSW Y3DP EHPK 3PXP": the key in groups of four, easier to type into an app. */
export const groupsOfFour = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');

const CONFIRM = {
  remove: (hint: string) => ({
    title: `Remove ${hint}`,
    heading: `Remove ${hint}?`,
    what: [
      `Signing in no longer accepts codes from this method: ${hint}.`,
      'When it is your default method, your oldest other method becomes the default.',
      'We email you about the change.',
    ],
    button: 'Remove method',
  }),
  recovery: {
    title: 'Create new recovery codes',
    heading: 'Create new recovery codes?',
    what: [
      'You get 10 new recovery codes, shown once on the next page.',
      'Your current recovery codes stop working at once, used or not.',
      'We email you about the change.',
    ],
    button: 'Create new recovery codes',
  },
  turnOff: {
    title: 'Turn off two-factor authentication',
    heading: 'Turn off two-factor authentication?',
    what: [
      'Signing in asks for your password only: anyone who learns it can sign in as you.',
      'Every method and recovery code is deleted; to turn it on again you set a method up anew.',
      'Every other device signed in to your account is signed out.',
      'We email you to confirm that two-factor authentication is off.',
    ],
    button: 'Turn off',
  },
};

// The two-factor set-up, code, confirmation and recovery-code pages (in the account shell, under
// Security), so that MfaPagesController only maps routes to the 2FA services.

/** The first step of a set-up: the app's introduction, or the phone or address field. */
export function setupPage(slug: SetupSlug, replace: string | undefined, value: string, m: Messages = {}, status = 200) {
  const field =
    slug === 'sms'
      ? {
          name: 'phone',
          label: 'Mobile phone number',
          type: 'tel',
          autocomplete: 'tel',
          maxlength: '40',
          hint: 'With the country code, such as +14155550123. We text a code to it now to check it.',
        }
      : slug === 'email'
        ? {
            name: 'email',
            label: 'Email address',
            type: 'email',
            autocomplete: 'email',
            maxlength: '254',
            hint: 'Your sign-in address, or another one you can read. We email a code to it now to check it.',
          }
        : null;
  return setupStep(slug, replace, { start: !field, field, value, action: `${MFA_BASE}/${slug}` }, m, status);
}

/** The authenticator app's QR code and key, with the code that confirms it. */
export function qrPage(setup: TotpSetup, replace: string | undefined): Page {
  return setupStep('app', replace, {
    qr: { src: setup.qrDataUrl, secret: setup.secret, grouped: groupsOfFour(setup.secret) },
    code: codeForm(setup.methodId, { kind: 'app', to: '', replace }),
  });
}

/** The code step alone: after a code was sent, or after a wrong code. */
export function codePage(methodId: string, ctx: CodeContext, m: Messages = {}, status = 200): Page {
  return setupStep(ctx.kind, ctx.replace, { code: codeForm(methodId, ctx) }, m, status);
}

export function confirmRemovePage(method: MfaMethodView, added: boolean, m: Messages = {}, status = 200): Page {
  return confirmPage(
    CONFIRM.remove(method.hint),
    `${MFA_BASE}/${method.id}/remove`,
    {
      ...m,
      notice: added
        ? `Your new method is set up. To finish the change, remove the one it replaces: ${method.hint}.`
        : m.notice,
    },
    status,
    added ? 'Keep both' : 'Cancel',
  );
}

export function confirmRecoveryCodesPage(m: Messages = {}, status = 200): Page {
  return confirmPage(CONFIRM.recovery, `${MFA_BASE}/recovery-codes`, m, status);
}

export function confirmTurnOffPage(m: Messages = {}, status = 200): Page {
  return confirmPage(CONFIRM.turnOff, `${MFA_BASE}/turn-off`, m, status);
}

/**
 * "Confirm it's you": the password, or a code from the authenticator app (`app`: its method id),
 * before a change to sign-in methods; then on to `next`.
 */
export function reauthPage(next: string, app: string | undefined, m: Messages = {}, status = 200): Page {
  const errors = m.errors ?? {};
  return page(
    'account/two-factor/reauth',
    {
      title: 'Confirm it is you',
      action: REAUTH_PATH,
      next,
      app,
      error: m.error,
      errors,
      errorList: errorList(errors),
    },
    { shell: 'security', status, headers: retryAfter(m) },
  );
}

/** Recovery codes, shown once: after the first method, and when new ones are made. */
export function recoveryCodesShown(codes: string[], email: string, first: boolean): Page {
  return page('account/two-factor/mfa-recovery-codes', recoveryCodesPage(codes, email, first), { shell: 'security' });
}

function codeForm(methodId: string, ctx: CodeContext) {
  const sent = ctx.kind !== 'app';
  return {
    action: `${MFA_BASE}/${methodId}/confirm`,
    kind: ctx.kind,
    to: ctx.to,
    replace: ctx.replace,
    sent,
    channel: ctx.kind === 'sms' ? 'text message' : 'email',
    resendAction: sent ? `${MFA_BASE}/${methodId}/resend` : undefined,
    otherHref: setupHref(ctx.kind, ctx.replace),
    otherLabel:
      ctx.kind === 'sms' ? 'Use a different number' : ctx.kind === 'email' ? 'Use a different address' : undefined,
    restartAction: sent ? undefined : `${MFA_BASE}/app`,
  };
}

function setupStep(
  slug: SetupSlug,
  replace: string | undefined,
  step: Record<string, unknown>,
  m: Messages = {},
  status = 200,
) {
  const info = slugInfo(slug);
  const verb = replace ? 'Change to' : 'Set up';
  const title =
    slug === 'app' ? `${verb} an authenticator app` : slug === 'sms' ? `${verb} text messages` : `${verb} email codes`;
  const errors = m.errors ?? {};
  return page(
    'account/two-factor/mfa-setup',
    {
      title,
      kindLabel: info.label,
      description: info.description,
      slug,
      replace,
      href: setupHref(slug, replace),
      ...step,
      error: m.error,
      notice: m.notice,
      errors,
      errorList: errorList(errors),
    },
    { shell: 'security', status, headers: retryAfter(m) },
  );
}

function confirmPage(
  text: { title: string; heading: string; what: string[]; button: string },
  action: string,
  m: Messages,
  status: number,
  cancelLabel = 'Cancel',
) {
  const errors = m.errors ?? {};
  return page(
    'account/two-factor/mfa-confirm',
    {
      ...text,
      action,
      cancelHref: '/account/security',
      cancelLabel,
      error: m.error,
      notice: m.notice,
      errors,
      errorList: errorList(errors),
    },
    { shell: 'security', status, headers: retryAfter(m) },
  );
}

/** Where to go after a method is confirmed: remove the one it replaced, or back to the security page. */
export const afterConfirm = (methodId: string, replace: string | undefined): string =>
  replace && replace !== methodId
    ? urlWith(`${MFA_BASE}/${replace}/remove`, { added: 1 })
    : urlWith('/account/security', { done: 'method-added' });

/** Back to the Security page, saying what was done. */
export const security = (done: string): string => urlWith('/account/security', { done });
