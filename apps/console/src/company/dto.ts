import { IsIn } from 'class-validator';
import { CUSTOMER_ROLES, CustomerRole } from '@lmp/database';
import { CreateAccountDto } from '../partner/dto';

export class AddCompanyUserDto extends CreateAccountDto {}

export class ChangeRoleDto {
  @IsIn(CUSTOMER_ROLES as CustomerRole[], { message: 'role must be full_access or read_only' })
  role!: CustomerRole;
}
