import { ApiProperty } from '@nestjs/swagger';

export class WeekTotals {
  @ApiProperty({ example: '2024-04-29', description: 'The Monday (UTC) the ISO week starts on.' })
  weekStart!: string;

  @ApiProperty({ type: 'integer' })
  runs!: number;

  @ApiProperty({ type: 'integer' })
  distanceMeters!: number;

  @ApiProperty({ type: 'integer' })
  durationSeconds!: number;
}

export class WeeklyStatsView {
  @ApiProperty({
    type: [WeekTotals],
    description: 'Oldest first, ending with the current week; weeks without runs are zeros.',
  })
  weeks!: WeekTotals[];
}
