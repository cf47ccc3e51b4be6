import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

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
  @IsEmail()
  @MaxLength(254)
  email!: string;
}
