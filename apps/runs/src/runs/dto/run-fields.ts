import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, ValidateIf } from 'class-validator';
import { CodePointLength } from '@runnerly/security';
import { IsRunStartTime } from './date-time.validator';
import { IsPlainText } from './plain-text.validator';

// The bounds of a run, repeated as CHECK constraints in the migration.
export const TITLE_MAX_LENGTH = 100;
export const NOTES_MAX_LENGTH = 2000;
export const DISTANCE_MAX_METERS = 1_000_000;
/** One week: longer than any ultramarathon, short enough to catch a unit mix-up (ms sent as seconds). */
export const DURATION_MAX_SECONDS = 604_800;

interface FieldOptions {
  /** For PATCH bodies: the field may be left out (but never set to null). */
  optional?: boolean;
}

/**
 * Validates the field only when it is present. Unlike `@IsOptional()`, null is still validated (and
 * refused): `{"title": null}` must be a 400, not an attempt to clear a required column.
 */
const WhenPresent = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
const presence = (options: FieldOptions) => (options.optional ? [WhenPresent()] : []);
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** 1–100 characters once trimmed, without control characters. */
export const RunTitle = (options: FieldOptions = {}) =>
  applyDecorators(
    ApiProperty({
      required: !options.optional,
      minLength: 1,
      maxLength: TITLE_MAX_LENGTH,
      example: 'Morning run by the river',
    }),
    ...presence(options),
    Transform(trim),
    IsString(),
    CodePointLength(1, TITLE_MAX_LENGTH),
    IsPlainText(),
  );

/** Up to 2000 characters; line breaks allowed, other control characters not. `null` clears them. */
export const RunNotes = () =>
  applyDecorators(
    ApiProperty({
      required: false,
      nullable: true,
      type: String,
      maxLength: NOTES_MAX_LENGTH,
      example: 'Easy pace.\nWindy on the way back.',
    }),
    IsOptional(),
    IsString(),
    CodePointLength(0, NOTES_MAX_LENGTH),
    IsPlainText({ allowLineBreaks: true }),
  );

export const DistanceMeters = (options: FieldOptions = {}) =>
  applyDecorators(
    ApiProperty({
      required: !options.optional,
      type: 'integer',
      minimum: 1,
      maximum: DISTANCE_MAX_METERS,
      example: 10_000,
    }),
    ...presence(options),
    IsInt(),
    Min(1),
    Max(DISTANCE_MAX_METERS),
  );

export const DurationSeconds = (options: FieldOptions = {}) =>
  applyDecorators(
    ApiProperty({
      required: !options.optional,
      type: 'integer',
      minimum: 1,
      maximum: DURATION_MAX_SECONDS,
      example: 3_000,
    }),
    ...presence(options),
    IsInt(),
    Min(1),
    Max(DURATION_MAX_SECONDS),
  );

export const StartedAt = (options: FieldOptions = {}) =>
  applyDecorators(
    ApiProperty({
      required: !options.optional,
      type: String,
      format: 'date-time',
      example: '2024-05-01T07:30:00Z',
      description: 'With a timezone; from 1970-01-01 to at most 5 minutes from now.',
    }),
    ...presence(options),
    IsRunStartTime(),
  );
