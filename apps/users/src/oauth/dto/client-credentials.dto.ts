import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';

/** RFC 6749 §4.4.2 token request; as JSON or form-encoded, with the field names the RFC uses. */
export class ClientCredentialsDto {
  @ApiProperty({ enum: ['client_credentials'] })
  @IsIn(['client_credentials'])
  grant_type!: 'client_credentials';

  @ApiPropertyOptional({ description: "Space-separated scopes; default: all of the client's scopes." })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  // eslint-disable-next-line security/detect-unsafe-regex -- each repeat starts with a space, not in [a-z:]
  @Matches(/^[a-z:]+( [a-z:]+)*$/, { message: 'scope must be space-separated scope names' })
  scope?: string;

  /** Only when the client does not use HTTP Basic authentication (RFC 6749 §2.3.1). */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  client_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 256)
  client_secret?: string;
}

export class ServiceTokenResponse {
  @ApiProperty()
  access_token!: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type!: 'Bearer';

  @ApiProperty()
  expires_in!: number;

  @ApiProperty()
  scope!: string;
}
