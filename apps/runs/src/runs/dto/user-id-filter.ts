import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsUUID } from 'class-validator';

/**
 * `?userId=` on reads: admins may name any user (or none, for everyone); a user may name only
 * themselves, anyone else is a 403 (OwnerScope). Lower-cased, so a user's own id in capitals still matches.
 */
export const UserIdFilter = () =>
  applyDecorators(
    ApiPropertyOptional({
      format: 'uuid',
      description: "Admins only: another user's id. Default: your own data (admins: everyone's).",
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value)),
    IsUUID(),
  );
