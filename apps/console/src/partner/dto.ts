import { Transform, Type } from 'class-transformer';
import {
  IsDate,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ListQuery } from '@lmp/common';
import { CUSTOMER_ROLES, CustomerRole } from '@lmp/database';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CustomerListQuery extends ListQuery {}

export class CreateCustomerDto {
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'companyName must not be empty' })
  @MaxLength(200)
  companyName!: string;

  @IsString()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be a two-letter ISO 3166 code' })
  country!: string;
}

export class AccountListQuery extends ListQuery {}

export class CreateAccountDto {
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @Transform(trim)
  @IsString()
  @Length(1, 100)
  firstName!: string;

  @Transform(trim)
  @IsString()
  @Length(1, 100)
  lastName!: string;

  @IsIn(CUSTOMER_ROLES as CustomerRole[])
  role!: CustomerRole;
}

export class CreateLicenseDto {
  @Transform(trim)
  @IsString()
  @Length(1, 120)
  product!: string;

  @IsInt()
  @Min(1)
  @Max(1_000_000)
  seats!: number;

  @Type(() => Date)
  @IsDate({ message: 'startsAt must be an ISO 8601 date' })
  startsAt!: Date;

  @Type(() => Date)
  @IsDate({ message: 'expiresAt must be an ISO 8601 date' })
  expiresAt!: Date;
}

export class AuditQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page: number = 1;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize: number = 25;

  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/i, { message: 'customerId must be an id' })
  customerId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;
}
