import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString } from 'class-validator';
import {
  CodePointLength,
  IsAcceptablePassword,
  NormalizeEmail,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from '@runnerly/security';
import { DisplayName } from './display-name';

/** Exactly these three fields: anything else (`role`, `id`) is refused by the validation pipe. */
export class RegisterDto {
  @ApiProperty({ maxLength: 254, example: 'ada@example.com' })
  @NormalizeEmail()
  @IsEmail()
  @CodePointLength(1, 254)
  email!: string;

  @ApiProperty({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    example: 'a long passphrase of yours',
  })
  @IsString()
  @IsAcceptablePassword('email')
  password!: string;

  @DisplayName()
  displayName!: string;
}
