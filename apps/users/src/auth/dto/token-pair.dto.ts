import { ApiProperty } from '@nestjs/swagger';

/** A new access token alone, for the session the caller already has (after a reauthentication). */
export class AccessTokenAnswer {
  @ApiProperty({
    description: 'RS256 JWT, valid for expiresIn seconds. Send as `Authorization: Bearer <token>`.',
  })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ example: 900 })
  expiresIn!: number;
}

export class TokenPair extends AccessTokenAnswer {
  @ApiProperty({ description: 'Opaque, single use: exchange it at /auth/refresh for a new pair.' })
  refreshToken!: string;
}

/** The first step's answer for an account with two-factor on: no token that opens the API, only the way on. */
export class SecondFactorRequired {
  @ApiProperty({ enum: [true] })
  secondFactorRequired!: true;

  @ApiProperty({ description: 'Opaque and single use: send it to /auth/login/second-factor with a code.' })
  loginToken!: string;

  @ApiProperty({ example: 300 })
  expiresIn!: number;
}
