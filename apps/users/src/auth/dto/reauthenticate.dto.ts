import { ApiProperty } from '@nestjs/swagger';
import { PASSWORD_MAX_LENGTH } from '@runnerly/security';
import { IsString, Length } from 'class-validator';
import { SecondFactorProofDto } from '../../mfa/dto/second-factor.dto';

/** The password, and with two-factor on also a code or a recovery code: the whole login, again. */
export class ReauthenticateDto extends SecondFactorProofDto {
  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  password!: string;
}
