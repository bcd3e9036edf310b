import { ApiProperty } from '@nestjs/swagger';

export class TokenPair {
  @ApiProperty({
    description: 'RS256 JWT, valid for expiresIn seconds. Send as `Authorization: Bearer <token>`.',
  })
  accessToken!: string;

  @ApiProperty({ description: 'Opaque, single use: exchange it at /auth/refresh for a new pair.' })
  refreshToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ example: 900 })
  expiresIn!: number;
}
