/** What the sign-in API answers; see apps/console/src/http/responses.ts for how these are read. */

export class SessionUser {
  id!: string;
  email!: string;
  firstName!: string;
  lastName!: string;
  role!: string;
  userType!: string;
  emailVerified!: boolean;
  partnerId!: string | null;
  customerId!: string | null;
}

export class SessionPartner {
  id!: string;
  code!: string;
  name!: string;
}

export class SessionCustomer {
  id!: string;
  companyName!: string;
}

/** The signed-in user and what they belong to. */
export class SessionResponse {
  user!: SessionUser;
  partner?: SessionPartner;
  customer?: SessionCustomer;
  /** The second step of sign-in was passed (or 2FA is off). */
  mfaPassed!: boolean;
  emailVerified!: boolean;
  /** Set while the partner's policy holds its staff back until they set up 2FA. */
  mfaSetupRequired?: boolean;
}

export class MfaChoice {
  id!: string;
  kind!: 'totp' | 'sms' | 'email';
  /** What the user sees: "Authenticator app", a masked phone or address. */
  hint!: string;
  isDefault!: boolean;
}

/** The password was right and 2FA is on: finish with POST /api/v1/auth/login/mfa. */
export class MfaChallengeResponse {
  mfaRequired!: boolean;
  methods!: MfaChoice[];
}

export class EmailVerifiedResponse {
  status!: string;
  email!: string;
}

export class PasswordSetResponse {
  status!: string;
  email!: string;
  /** Where to sign in now. */
  next!: string;
}
