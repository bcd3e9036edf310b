import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@runnerly/security';
import { EmailAddress } from '../../accounts/dto/email-address';

/** A link's token as the API issues them: 32 bytes, base64url. Anything else is refused before a query. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** `{ email }`: where to send a link, if an account has this address. */
export class EmailLinkRequestDto {
  @EmailAddress()
  email!: string;
}

export class EmailLinkTokenDto {
  @ApiProperty({ description: 'The token of the link (after `#token=`)', pattern: TOKEN_PATTERN.source })
  @IsString()
  @Matches(TOKEN_PATTERN, { message: 'token must be the token of a link' })
  token!: string;
}

export class CompletePasswordResetDto extends EmailLinkTokenDto {
  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @IsAcceptablePassword()
  password!: string;
}

/** The same answer whatever the address: whether it has an account is not the caller's to learn. */
export class EmailLinkRequestAccepted {
  @ApiProperty({ example: true })
  accepted!: true;
}
