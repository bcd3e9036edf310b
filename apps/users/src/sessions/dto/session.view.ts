import { ApiProperty } from '@nestjs/swagger';

/** One live session as its owner sees it: when it began, when it was last refreshed, when it ends. */
export class SessionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time', description: 'The login that started it.' })
  createdAt!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'The last login or refresh: when a token was last issued.',
  })
  lastUsedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Its absolute end, fixed at login.' })
  expiresAt!: string;

  @ApiProperty({ description: 'True for the session of the access token that asked.' })
  current!: boolean;
}

export class SessionList {
  @ApiProperty({ type: [SessionView] })
  items!: SessionView[];
}
