/** Audit action names are stored; never rename one. */
export const AuditAction = {
  LoginSucceeded: 'auth.login.succeeded',
  LoginFailed: 'auth.login.failed',
  Logout: 'auth.logout',
  PasswordResetRequested: 'account.password_reset.requested',
  PasswordResetCompleted: 'account.password_reset.completed',
  InvitationAccepted: 'account.invitation.accepted',
  CustomerCreated: 'customer.created',
  AccountCreated: 'account.created',
  InvitationSent: 'account.invitation.sent',
  LicenseCreated: 'license.created',
  PartnerCreated: 'partner.created',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];
