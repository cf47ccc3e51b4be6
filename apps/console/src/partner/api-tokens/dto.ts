import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsDisplayText } from '@lmp/common';
import { API_SCOPES, API_TOKEN_DAYS, ApiScope } from '@lmp/tenancy';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateApiTokenDto {
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(100)
  @IsDisplayText()
  name!: string;

  @IsArray()
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  @ArrayMaxSize(API_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_SCOPES, { each: true, message: `each scope must be one of: ${API_SCOPES.join(', ')}` })
  scopes!: ApiScope[];

  /** Days until it expires: 1 to 365; 90 when left out. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(API_TOKEN_DAYS.max)
  expiresInDays?: number;
}
