import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsString, MaxLength, ValidateIf } from 'class-validator';
import { WEBHOOK_EVENT_TYPES } from '@lmp/notifications';
import { WEBHOOK_URL_MAX } from '@lmp/tenancy';

const Patchable = () => ValidateIf((_dto: object, value: unknown) => value !== undefined);

export class CreateWebhookDto {
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX)
  url!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each event must be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events!: string[];
}

export class UpdateWebhookDto {
  @Patchable()
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX)
  url?: string;

  @Patchable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each event must be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events?: string[];

  @Patchable()
  @IsBoolean()
  enabled?: boolean;
}
