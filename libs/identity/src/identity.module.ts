import { Global, Module } from '@nestjs/common';
import { AccountSettingsService } from './account-settings.service';
import { AuthService } from './auth.service';
import { EmailChangeService } from './email-change.service';
import { SubscriptionService } from './subscription.service';
import { EmailVerificationService } from './email-verification.service';
import { ForgotPasswordService } from './forgot-password.service';
import { LinkMailLimit } from './link-mail-limit';
import { PasswordHasher } from './password-hasher';
import { PasswordResetService } from './password-reset.service';
import { RateLimitStore } from './rate-limit.store';
import { ReauthService } from './reauth.service';
import { SessionService } from './session.service';
import { TokenService } from './token.service';
import { UserRepository } from './user.repository';
import { MfaRepository } from './mfa/mfa.repository';
import { MfaService } from './mfa/mfa.service';
import { MfaSetupService } from './mfa/mfa-setup.service';
import { MfaCodes } from './mfa/mfa-codes.service';
import { MfaChangeLog } from './mfa/mfa-change-log';
import { MfaSignInService } from './mfa/mfa-sign-in.service';

const SERVICES = [
  AccountSettingsService,
  AuthService,
  EmailChangeService,
  SubscriptionService,
  EmailVerificationService,
  ForgotPasswordService,
  LinkMailLimit,
  PasswordHasher,
  PasswordResetService,
  RateLimitStore,
  ReauthService,
  SessionService,
  TokenService,
  UserRepository,
  MfaRepository,
  MfaService,
  MfaSetupService,
  MfaCodes,
  MfaChangeLog,
  MfaSignInService,
];

@Global()
@Module({ providers: SERVICES, exports: SERVICES })
export class IdentityModule {}
