import { Global, Module } from '@nestjs/common';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';
import { PasswordResetService } from './password-reset.service';
import { SessionService } from './session.service';
import { TokenService } from './token.service';
import { UserRepository } from './user.repository';

@Global()
@Module({
  providers: [AuthService, PasswordHasher, PasswordResetService, SessionService, TokenService, UserRepository],
  exports: [AuthService, PasswordHasher, PasswordResetService, SessionService, TokenService, UserRepository],
})
export class IdentityModule {}
