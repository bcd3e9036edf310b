import { Injectable } from '@nestjs/common';
import { OwnerScope, type UserPrincipal } from '@runnerly/security';
import { DataSource } from 'typeorm';
import { type WeeklyStatsQuery } from './dto/weekly-stats.query';
import { type WeekTotals, WeeklyStatsView } from './dto/weekly-stats.view';
import { OwnedRuns } from './owned-runs.repository';

interface WeekRow {
  week_start: string;
  runs: string;
  distance_meters: string;
  duration_seconds: string;
}

/** Monday 00:00 UTC of the current ISO week, as a timestamp without zone. */
const THIS_WEEK = `date_trunc('week', now() AT TIME ZONE 'UTC')`;
/** The Monday 00:00 (UTC) of the week a run started in. */
const WEEK_OF_RUN = `date_trunc('week', run.startedAt AT TIME ZONE 'UTC')`;

/**
 * Totals per ISO week (Monday to Sunday, UTC) for the last N weeks, in one SQL statement: the runs of
 * the caller's scope are summed per week (an index range scan from the first week on), and joined to
 * every week of the series so that weeks without runs appear as zeros.
 */
@Injectable()
export class WeeklyStatsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: OwnedRuns,
  ) {}

  async weekly(user: UserPrincipal, query: WeeklyStatsQuery): Promise<WeeklyStatsView> {
    // The owner condition comes from OwnedRuns, as for every other read of runs.
    const [totals, parameters] = this.runs
      .query(OwnerScope.of(user, query.userId), 'run')
      .select(WEEK_OF_RUN, 'week_start')
      .addSelect('count(*)', 'runs')
      .addSelect('sum(run.distanceMeters)', 'distance_meters')
      .addSelect('sum(run.durationSeconds)', 'duration_seconds')
      .andWhere(
        `run.startedAt >= (${THIS_WEEK} - make_interval(weeks => :earlierWeeks)) AT TIME ZONE 'UTC'`,
        {
          earlierWeeks: query.weeks - 1,
        },
      )
      .groupBy(WEEK_OF_RUN)
      .getQueryAndParameters();

    // TypeORM numbers the inner query's parameters $1..$n; the series' own parameter comes after them.
    const earlierWeeks = `$${parameters.length + 1}`;
    const rows = await this.dataSource.query<WeekRow[]>(
      `SELECT to_char(weeks.week_start, 'YYYY-MM-DD') AS week_start,
              COALESCE(totals.runs, 0)             AS runs,
              COALESCE(totals.distance_meters, 0)  AS distance_meters,
              COALESCE(totals.duration_seconds, 0) AS duration_seconds
         FROM generate_series(${THIS_WEEK} - make_interval(weeks => ${earlierWeeks}), ${THIS_WEEK}, interval '1 week')
              AS weeks (week_start)
         LEFT JOIN (${totals}) AS totals ON totals.week_start = weeks.week_start
        ORDER BY weeks.week_start`,
      [...parameters, query.weeks - 1],
    );
    return { weeks: rows.map(toWeekTotals) };
  }
}

/** PostgreSQL returns counts and sums as bigint strings; the totals stay far below 2^53. */
function toWeekTotals(row: WeekRow): WeekTotals {
  return {
    weekStart: row.week_start,
    runs: Number(row.runs),
    distanceMeters: Number(row.distance_meters),
    durationSeconds: Number(row.duration_seconds),
  };
}
