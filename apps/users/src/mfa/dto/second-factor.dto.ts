import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AppException, ErrorCode } from '@runnerly/security';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { type SecondFactorProof } from '../second-factor.service';

/** A code from the authenticator app: six digits. */
export const TOTP_CODE = /^\d{6}$/;
/** A recovery code as shown (`xxxx-xxxx-xxxx-xxxx`), in any case, with or without its dashes or spaces. */
export const RECOVERY_CODE = /^[A-Za-z0-9 -]{16,24}$/;

export class TotpCodeDto {
  @ApiProperty({ pattern: TOTP_CODE.source, example: '492039' })
  @IsString()
  @Matches(TOTP_CODE, { message: 'code must be six digits' })
  code!: string;
}

/** Exactly one of the two: a code from the app, or a recovery code. */
export class SecondFactorProofDto {
  @ApiPropertyOptional({ pattern: TOTP_CODE.source, example: '492039' })
  @IsOptional()
  @IsString()
  @Matches(TOTP_CODE, { message: 'code must be six digits' })
  code?: string;

  @ApiPropertyOptional({ pattern: RECOVERY_CODE.source, example: 'k7mq-z3hw-9d2e-x4p8' })
  @IsOptional()
  @IsString()
  @Matches(RECOVERY_CODE, { message: 'recoveryCode must be a recovery code' })
  recoveryCode?: string;
}

export class LoginSecondStepDto extends SecondFactorProofDto {
  @ApiProperty({ description: 'The loginToken the first step answered.', maxLength: 128 })
  @IsString()
  @Length(1, 128)
  loginToken!: string;
}

export class TotpEnrolment {
  @ApiProperty({ description: 'Base32 secret, for typing into the app by hand.' })
  secret!: string;

  @ApiProperty({ description: 'otpauth:// URI, to show as a QR code.' })
  otpauthUri!: string;
}

export class RecoveryCodes {
  @ApiProperty({ type: [String], description: 'Each works once. Shown this one time only.' })
  recoveryCodes!: string[];
}

export class SecondFactorStatus {
  @ApiProperty()
  enabled!: boolean;

  @ApiProperty()
  recoveryCodesLeft!: number;
}

/** The proof a body carries; exactly one of `code` and `recoveryCode`, or 400. */
export function proofOf(dto: SecondFactorProofDto): SecondFactorProof {
  if (dto.code !== undefined && dto.recoveryCode === undefined) return { code: dto.code };
  if (dto.recoveryCode !== undefined && dto.code === undefined) return { recoveryCode: dto.recoveryCode };
  throw new AppException(ErrorCode.ValidationFailed, 'The request is invalid.', [
    { field: 'code', problems: ['give either code or recoveryCode, not both or neither'] },
  ]);
}
