import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail } from 'class-validator';
import { CodePointLength, NormalizeEmail } from '@runnerly/security';

/**
 * An email address that becomes an account's key (sign-up) or looks one up (links by mail): normalised first, so
 * that every spelling of one address reaches one account, then a valid address of at most 254 code points.
 */
export const EmailAddress = () =>
  applyDecorators(
    ApiProperty({ maxLength: 254, example: 'ada@example.com' }),
    NormalizeEmail(),
    IsEmail(),
    CodePointLength(1, 254),
  );
