import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh token from the last login or refresh.' })
  @IsString()
  @Length(1, 128)
  refreshToken!: string;
}
