import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { CodePointLength } from '@runnerly/security';

/** The body of POST /items. Any other field is refused (400), so no client can set the owner. */
export class CreateItemDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @CodePointLength(1, 200)
  title!: string;
}
