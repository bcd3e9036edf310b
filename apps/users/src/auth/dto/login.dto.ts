import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import { NormalizeEmail, PASSWORD_MAX_LENGTH } from '@runnerly/security';

/** Bounded, but not checked against the password policy: a login only compares. */
export class LoginDto {
  @ApiProperty({ maxLength: 254 })
  @NormalizeEmail()
  @IsString()
  @Length(3, 254)
  email!: string;

  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}
