/** Audit action names are stored; never rename one. */
export const AuditAction = {
  LoginSucceeded: 'auth.login.succeeded',
  LoginFailed: 'auth.login.failed',
  AccountLocked: 'auth.account.locked',
  SignedUp: 'account.signed_up',
  SignupRepeated: 'account.signup_repeated',
  EmailVerificationSent: 'account.email_verification.sent',
  EmailVerified: 'account.email_verified',
  Logout: 'auth.logout',
  PasswordResetRequested: 'account.password_reset.requested',
  PasswordResetCompleted: 'account.password_reset.completed',
  InvitationAccepted: 'account.invitation.accepted',
  CustomerCreated: 'customer.created',
  AccountCreated: 'account.created',
  InvitationSent: 'account.invitation.sent',
  LicenseCreated: 'license.created',
  CustomerChanged: 'customer.changed',
  AccountChanged: 'account.changed',
  LicenseChanged: 'license.changed',
  PartnerCreated: 'partner.created',
  ProfileChanged: 'account.profile.changed',
  PasswordChanged: 'account.password.changed',
  EmailChangeRequested: 'account.email_change.requested',
  EmailChanged: 'account.email.changed',
  AccountLockedByOwner: 'account.locked_by_owner',
  SubscriptionsChanged: 'account.subscriptions.changed',
  SessionRevoked: 'auth.session.revoked',
  CompanyUserAdded: 'company.user.added',
  CompanyUserRoleChanged: 'company.user.role_changed',
  CompanyUserRemoved: 'company.user.removed',
  AccountPromoted: 'account.promoted',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

/** Every action, for filters that offer a choice of them. */
export const AUDIT_ACTIONS: readonly AuditAction[] = Object.values(AuditAction);
