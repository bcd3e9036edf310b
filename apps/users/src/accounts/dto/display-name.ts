import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { CodePointLength } from '@runnerly/security';

/** 1–100 printable characters, trimmed. Control characters are refused: they corrupt logs and UIs. */
export const DisplayName = () =>
  applyDecorators(
    ApiProperty({ minLength: 1, maxLength: 100, example: 'Ada Runner' }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    CodePointLength(1, 100),
    Matches(/^[^\p{C}]*$/u, { message: 'displayName must not contain control characters' }),
  );
