import { DistanceMeters, DurationSeconds, RunNotes, RunTitle, StartedAt } from './run-fields';

/**
 * A new run. Exactly these fields: the owner comes from the caller's token, so a `userId` (or `id`) in
 * the body is refused by the validation pipe rather than trusted (OWASP API3: mass assignment).
 */
export class CreateRunDto {
  @RunTitle()
  title!: string;

  @DistanceMeters()
  distanceMeters!: number;

  @DurationSeconds()
  durationSeconds!: number;

  @StartedAt()
  startedAt!: string;

  @RunNotes()
  notes?: string | null;
}
