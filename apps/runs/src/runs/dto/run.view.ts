import { ApiProperty } from '@nestjs/swagger';
import { type Run } from '../run.entity';

/**
 * What clients see of a run. Built field by field from the entity, never by returning the entity, so
 * a column added later cannot leak into responses by accident (OWASP API3).
 */
export class RunView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ type: String, nullable: true })
  notes!: string | null;

  @ApiProperty({ type: 'integer' })
  distanceMeters!: number;

  @ApiProperty({ type: 'integer' })
  durationSeconds!: number;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static of(run: Run): RunView {
    return {
      id: run.id,
      userId: run.userId,
      title: run.title,
      notes: run.notes,
      distanceMeters: run.distanceMeters,
      durationSeconds: run.durationSeconds,
      startedAt: run.startedAt.toISOString(),
      createdAt: run.createdAt.toISOString(),
      updatedAt: run.updatedAt.toISOString(),
    };
  }
}

export class RunPage {
  @ApiProperty({ type: [RunView] })
  items!: RunView[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}
