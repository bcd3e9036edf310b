import { ApiProperty } from '@nestjs/swagger';
import { MAX_CLIENT_DESCRIPTION_LENGTH } from '../client-description';

/** One live session as its owner sees it: the client, when it began, when it was last refreshed, when it ends. */
export class SessionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: MAX_CLIENT_DESCRIPTION_LENGTH,
    description:
      "The User-Agent the client sent at login, printable ASCII only, bounded; null when it sent none. The client's own claim: a hint to recognise a device, not proof.",
  })
  client!: string | null;

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
