import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { IsAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@runnerly/security';
import { DisplayName } from './display-name';
import { EmailAddress } from './email-address';

/** Exactly these three fields: anything else (`role`, `id`) is refused by the validation pipe. */
export class RegisterDto {
  @EmailAddress()
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
