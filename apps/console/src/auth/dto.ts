import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsDisplayText, IsEmailAddress } from '@lmp/common';

export class LoginDto {
  @IsString()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;
}

export class ResetPasswordDto {
  @IsString()
  @MaxLength(100)
  token!: string;

  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class EmailDto {
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;
}

export class SignupDto {
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MaxLength(1024)
  password!: string;

  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  firstName!: string;

  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  lastName!: string;

  @IsIn(['personal', 'company'])
  userType!: 'personal' | 'company';

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsDisplayText()
  companyName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  partnerCode?: string;
}

export class TokenDto {
  @IsString()
  @MaxLength(100)
  token!: string;
}

/** The second step of a sign-in: a code of one method, or a recovery code. */
export class MfaLoginDto {
  @ValidateIf((o: MfaLoginDto) => o.recoveryCode === undefined)
  @IsUUID('all', { message: 'methodId must be the id of one of your methods' })
  methodId?: string;

  @ValidateIf((o: MfaLoginDto) => o.recoveryCode === undefined)
  @IsString()
  @Matches(/^\s*\d{3}\s?\d{3}\s*$/, { message: 'code must be the 6 digits of a code' })
  code?: string;

  @IsOptional()
  @IsString()
  @Length(8, 40)
  recoveryCode?: string;
}

export class MfaSendDto {
  @IsUUID('all', { message: 'methodId must be the id of one of your methods' })
  methodId!: string;
}
