import { MfaKind, MfaMethod } from '@lmp/database';

/** A second factor as its owner sees it: never its secret or target in full. */
export interface MfaMethodView {
  id: string;
  kind: MfaKind;
  /** What the user sees: "Authenticator app", a masked phone or address. */
  hint: string;
  isDefault: boolean;
  confirmed: boolean;
  createdAt: string;
}

export interface MfaOverview {
  enabled: boolean;
  methods: MfaMethodView[];
  recoveryCodesLeft: number;
}

const KIND_LABEL: Record<MfaKind, string> = { totp: 'Authenticator app', sms: 'Text message', email: 'Email' };

export function maskPhone(e164: string): string {
  return `${e164.slice(0, 3)} ••• ${e164.slice(-4)}`;
}

export function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
}

export function methodHint(m: Pick<MfaMethod, 'kind' | 'target'>): string {
  if (m.kind === 'sms' && m.target) return `${KIND_LABEL.sms} to ${maskPhone(m.target)}`;
  if (m.kind === 'email' && m.target) return `${KIND_LABEL.email} to ${maskEmail(m.target)}`;
  return KIND_LABEL.totp;
}

export function methodView(m: MfaMethod): MfaMethodView {
  return {
    id: m.id,
    kind: m.kind,
    hint: methodHint(m),
    isDefault: m.isDefault,
    confirmed: m.confirmedAt !== null,
    createdAt: m.createdAt.toISOString(),
  };
}

/** 2FA is on while a confirmed method exists; recovery codes only count then. */
export function overviewView(confirmed: MfaMethod[], recoveryCodesLeft: number): MfaOverview {
  return {
    enabled: confirmed.length > 0,
    methods: confirmed.map(methodView),
    recoveryCodesLeft: confirmed.length ? recoveryCodesLeft : 0,
  };
}
