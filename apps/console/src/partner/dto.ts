import { IntersectionType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDate,
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
  ValidateIf,
} from 'class-validator';
import { IsDisplayText, IsEmailAddress, ListQuery, PageQuery, toIsoDate } from '@lmp/common';
import { CUSTOMER_ROLES, CustomerRole, CustomerStatus } from '@lmp/database';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * A field a PATCH may leave out. Unlike IsOptional it still validates null, so `{"seats": null}`
 * is a 400 rather than an attempt to store NULL.
 */
const Patchable = () => ValidateIf((_dto: object, value: unknown) => value !== undefined);

export const CUSTOMER_STATUSES: readonly CustomerStatus[] = ['active', 'suspended'];
export const ACCOUNT_STATUSES = ['active', 'disabled'] as const;
export const LICENSE_STATUSES = ['active', 'suspended'] as const;

export class CustomerListQuery extends ListQuery {}

export class CreateCustomerDto {
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'companyName must not be empty' })
  @MaxLength(200)
  @IsDisplayText()
  companyName!: string;

  @IsString()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be a two-letter ISO 3166 code' })
  country!: string;
}

export class UpdateCustomerDto {
  @Patchable()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'companyName must not be empty' })
  @MaxLength(200)
  @IsDisplayText()
  companyName?: string;

  @Patchable()
  @IsString()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be a two-letter ISO 3166 code' })
  country?: string;

  @Patchable()
  @IsIn(CUSTOMER_STATUSES as CustomerStatus[])
  status?: CustomerStatus;
}

export class AccountListQuery extends ListQuery {}

export class CreateAccountDto {
  @Transform(trim)
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  firstName!: string;

  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  lastName!: string;

  @IsIn(CUSTOMER_ROLES as CustomerRole[])
  role!: CustomerRole;
}

export class UpdateAccountDto {
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

  @Patchable()
  @IsIn(CUSTOMER_ROLES as CustomerRole[])
  role?: CustomerRole;

  @Patchable()
  @IsIn(ACCOUNT_STATUSES)
  status?: (typeof ACCOUNT_STATUSES)[number];
}

export class CreateLicenseDto {
  @Transform(trim)
  @IsString()
  @Length(1, 120)
  @IsDisplayText()
  product!: string;

  @IsInt()
  @Min(1)
  @Max(1_000_000)
  seats!: number;

  @Transform(toIsoDate)
  @IsDate({ message: 'startsAt must be an ISO 8601 date' })
  startsAt!: Date;

  @Transform(toIsoDate)
  @IsDate({ message: 'expiresAt must be an ISO 8601 date' })
  expiresAt!: Date;
}

export class UpdateLicenseDto {
  @Patchable()
  @Transform(trim)
  @IsString()
  @Length(1, 120)
  @IsDisplayText()
  product?: string;

  @Patchable()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  seats?: number;

  @Patchable()
  @Transform(toIsoDate)
  @IsDate({ message: 'startsAt must be an ISO 8601 date' })
  startsAt?: Date;

  @Patchable()
  @Transform(toIsoDate)
  @IsDate({ message: 'expiresAt must be an ISO 8601 date' })
  expiresAt?: Date;

  @Patchable()
  @IsIn(LICENSE_STATUSES)
  status?: (typeof LICENSE_STATUSES)[number];
}

/** The audit trail's filters: the list's and the CSV export's. */
export class AuditFilterQuery {
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/i, { message: 'customerId must be an id' })
  customerId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;
}

export class AuditQuery extends IntersectionType(AuditFilterQuery, PageQuery) {}

/** The customer list's search and order, without its paging: the CSV export's filters. */
export class CustomerExportQuery extends PickType(ListQuery, ['q', 'sort'] as const) {}

export class PartnerSettingsDto {
  @Patchable()
  @IsBoolean({ message: 'requireStaffMfa must be true or false' })
  requireStaffMfa?: boolean;

  @Patchable()
  @IsBoolean({ message: 'licenseNotices must be true or false' })
  licenseNotices?: boolean;

  /** Whole days before the expiry (1 to 365, at most 6); the service sorts and checks them. */
  @Patchable()
  @IsArray({ message: 'licenseNoticeDays must be a list of whole days' })
  @ArrayMaxSize(6, { message: 'licenseNoticeDays must have at most 6 days' })
  @IsInt({ each: true, message: 'licenseNoticeDays must be whole days from 1 to 365' })
  @Min(1, { each: true, message: 'licenseNoticeDays must be whole days from 1 to 365' })
  @Max(365, { each: true, message: 'licenseNoticeDays must be whole days from 1 to 365' })
  licenseNoticeDays?: number[];

  @Patchable()
  @IsInt({ message: 'licenseGraceDays must be a whole number of days' })
  @Min(0)
  @Max(90)
  licenseGraceDays?: number;
}
