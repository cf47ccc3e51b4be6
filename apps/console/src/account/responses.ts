/** What My account answers; see apps/console/src/http/responses.ts for how these are read. */

export class ProfileLocationResponse {
  country!: string;
  city!: string | null;
}

export class ProfileResponse {
  email!: string;
  userType!: 'personal' | 'company';
  firstName!: string;
  lastName!: string;
  /** E.164, e.g. +4930123456. */
  phone!: string | null;
  location!: ProfileLocationResponse | null;
  emailVerified!: boolean;
}

export class ConsentChangeResponse {
  topic!: 'newsletter' | 'promotions';
  granted!: boolean;
  source!: 'account' | 'unsubscribe_link' | 'api';
  at!: string;
}

export class SubscriptionsResponse {
  newsletter!: boolean;
  /** Special offers, promotions and surveys. */
  promotions!: boolean;
  /** Every change, with its time and source. */
  history!: ConsentChangeResponse[];
}

export class SessionListItemResponse {
  id!: string;
  userAgent!: string | null;
  ip!: string | null;
  createdAt!: string;
  lastSeenAt!: string;
  /** The session this request was made with. */
  current!: boolean;
}

export class SessionList {
  items!: SessionListItemResponse[];
}

export class MfaMethodResponse {
  id!: string;
  kind!: 'totp' | 'sms' | 'email';
  /** What the user sees: "Authenticator app", a masked phone or address. */
  hint!: string;
  isDefault!: boolean;
  confirmed!: boolean;
  createdAt!: string;
}

/** A confirmed method; the first one confirmed also brings the recovery codes, shown once. */
export class ConfirmedMethodResponse extends MfaMethodResponse {
  recoveryCodes?: string[];
}

export class MfaOverviewResponse {
  enabled!: boolean;
  methods!: MfaMethodResponse[];
  recoveryCodesLeft!: number;
}

export class TotpSetupResponse {
  methodId!: string;
  /** The key, base32, for typing into the app. */
  secret!: string;
  otpauthUrl!: string;
  /** The otpauth URL as a QR code image. */
  qrDataUrl!: string;
}

/** A pending method: confirm it with the code just sent. */
export class PendingMethodResponse {
  methodId!: string;
}

export class RecoveryCodesResponse {
  /** Shown once; each works once. */
  recoveryCodes!: string[];
}

export class EmailConfirmedResponse {
  email!: string;
}

export class LockedResponse {
  status!: string;
}
