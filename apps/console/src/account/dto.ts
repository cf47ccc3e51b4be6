import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsDisplayText, IsEmailAddress } from '@lmp/common';
import { UserType } from '@lmp/database';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Left out: unchanged. Present: validated, null included (for the fields that allow it). */
const Patchable = () => ValidateIf((_dto: object, value: unknown) => value !== undefined);
const Clearable = () => ValidateIf((_dto: object, value: unknown) => value !== undefined && value !== null);

export class LocationDto {
  @IsString()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be a two-letter ISO 3166 code' })
  country!: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  @IsDisplayText()
  city?: string | null;
}

export class UpdateProfileDto {
  @Patchable()
  @IsIn(['personal', 'company'], { message: 'userType must be personal or company' })
  userType?: UserType;

  @Patchable()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  firstName?: string;

  @Patchable()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  lastName?: string;

  @Clearable()
  @IsString()
  @MaxLength(32)
  phone?: string | null;

  @Clearable()
  @IsObject()
  @ValidateNested()
  @Type(() => LocationDto)
  location?: LocationDto | null;
}

export class ChangePasswordDto {
  @IsString()
  @MaxLength(1024)
  currentPassword!: string;

  @IsString()
  @MaxLength(1024)
  newPassword!: string;

  @IsString()
  @MaxLength(1024)
  confirmPassword!: string;
}

export class ChangeEmailDto {
  @Transform(trim)
  @IsEmailAddress()
  @MaxLength(254)
  newEmail!: string;

  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class SubscriptionsDto {
  @IsBoolean()
  newsletter!: boolean;

  @IsBoolean()
  promotions!: boolean;
}

export class LinkTokenDto {
  @IsString()
  @MaxLength(100)
  token!: string;
}

export class MfaPhoneDto {
  @IsString()
  @MaxLength(40)
  phone!: string;
}

export class MfaEmailDto {
  @Transform(trim)
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;
}

export class MfaCodeDto {
  @IsString()
  @Matches(/^\s*\d{3}\s?\d{3}\s*$/, { message: 'code must be the 6 digits of a code' })
  code!: string;
}

export class PasswordDto {
  @IsString()
  @MaxLength(1024)
  password!: string;
}

const METHOD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class MfaMethodDto {
  @IsString()
  @Matches(METHOD_ID, { message: 'methodId must be a method id' })
  methodId!: string;
}

/** The password, or a method and one of its current codes. */
export class ReauthDto {
  @ValidateIf((dto: ReauthDto) => dto.methodId === undefined && dto.code === undefined)
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ValidateIf((dto: ReauthDto) => dto.password === undefined)
  @IsString()
  @Matches(METHOD_ID, { message: 'methodId must be a method id' })
  methodId?: string;

  @ValidateIf((dto: ReauthDto) => dto.password === undefined)
  @IsString()
  @Matches(/^\s*\d{3}\s?\d{3}\s*$/, { message: 'code must be the 6 digits of a code' })
  code?: string;
}
