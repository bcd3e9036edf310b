import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

/** What the gateway brings back from the provider's redirect, for the browser that started the sign-in. */
export class OidcCallbackDto {
  @ApiProperty({ description: 'The raw query string of the callback URL, without the `?`.', maxLength: 4096 })
  @IsString()
  @Length(1, 4096)
  callbackQuery!: string;

  @ApiProperty({ description: "The value of the browser's binding cookie." })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'binding must be a sign-in binding' })
  binding!: string;
}

export class OidcStatus {
  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ nullable: true, type: String })
  providerName!: string | null;
}

export class OidcStarted {
  @ApiProperty({ description: "The provider's authorization endpoint, with this sign-in's parameters." })
  authorizationUrl!: string;

  @ApiProperty({ description: 'Random: the gateway keeps it in the browser, in the binding cookie.' })
  binding!: string;
}
