import { DistanceMeters, DurationSeconds, RunNotes, RunTitle, StartedAt } from './run-fields';

/** The fields of a run to change; at least one (checked by RunsService). The owner never changes. */
export class UpdateRunDto {
  @RunTitle({ optional: true })
  title?: string;

  @DistanceMeters({ optional: true })
  distanceMeters?: number;

  @DurationSeconds({ optional: true })
  durationSeconds?: number;

  @StartedAt({ optional: true })
  startedAt?: string;

  @RunNotes()
  notes?: string | null;
}
