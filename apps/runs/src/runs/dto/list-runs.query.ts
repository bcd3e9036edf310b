import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { PageQuery } from '@runnerly/security';
import { IsDateTimeWithZone, IsNotBefore } from './date-time.validator';
import { UserIdFilter } from './user-id-filter';

/** `GET /runs?from&to&limit&cursor&userId`: newest first, keyset-paginated, limit capped by PageQuery. */
export class ListRunsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'Only runs started at or after this instant.' })
  @IsOptional()
  @IsDateTimeWithZone()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Only runs started at or before this instant; not before `from`.',
  })
  @IsOptional()
  @IsDateTimeWithZone()
  @IsNotBefore('from')
  to?: string;

  @UserIdFilter()
  userId?: string;
}
