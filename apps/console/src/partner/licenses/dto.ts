import { OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsDisplayText, PageQuery, toIsoDate } from '@lmp/common';
import { LICENSE_STATUSES, LicenseStatus } from '@lmp/tenancy';

/** `?status=&expiresBefore=&product=&customerId=&page=&pageSize=&sort=` of the partner's licenses. */
export class PartnerLicenseListQuery extends PageQuery {
  @IsOptional()
  @IsIn(LICENSE_STATUSES as LicenseStatus[], { message: `status must be one of ${LICENSE_STATUSES.join(', ')}` })
  status?: LicenseStatus;

  @IsOptional()
  @Transform(toIsoDate)
  @IsDate({ message: 'expiresBefore must be an ISO 8601 date' })
  expiresBefore?: Date;

  @IsOptional()
  @IsString()
  @Length(1, 120)
  @IsDisplayText()
  product?: string;

  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/i, { message: 'customerId must be an id' })
  customerId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(40)
  @Matches(/^-?[a-zA-Z]+$/, { message: 'sort must be a field name, optionally prefixed by -' })
  sort?: string;
}

/** The partner's licenses' filters and order, without paging: the CSV export's query. */
export class PartnerLicenseExportQuery extends OmitType(PartnerLicenseListQuery, ['page', 'pageSize'] as const) {}

/** A renewal: either a new expiry or a period (ISO 8601: P1Y, P6M, P2W, P30D), and seats if they change. */
export class RenewLicenseDto {
  @IsOptional()
  @Transform(toIsoDate)
  @IsDate({ message: 'expiresAt must be an ISO 8601 date' })
  expiresAt?: Date;

  @IsOptional()
  @IsString()
  @Matches(/^P(?:\d{1,2}Y)?(?:\d{1,3}M)?(?:\d{1,3}W)?(?:\d{1,4}D)?$/, {
    message: 'period must be an ISO 8601 period like P1Y, P6M, P2W or P30D',
  })
  period?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  seats?: number;
}
