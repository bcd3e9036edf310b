import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { UserIdFilter } from './user-id-filter';

export const MAX_STATS_WEEKS = 52;
export const DEFAULT_STATS_WEEKS = 12;

/** `GET /runs/stats/weekly?weeks=N&userId`: bounded, so one request cannot ask for a century of weeks. */
export class WeeklyStatsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_STATS_WEEKS, default: DEFAULT_STATS_WEEKS })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_STATS_WEEKS)
  weeks: number = DEFAULT_STATS_WEEKS;

  @UserIdFilter()
  userId?: string;
}
