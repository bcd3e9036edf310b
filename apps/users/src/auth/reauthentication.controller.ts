import { Body, Controller, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CredentialsEndpoint, CurrentUser, Roles, type UserPrincipal } from '@runnerly/security';
import { AuthService } from './auth.service';
import { ReauthenticateDto } from './dto/reauthenticate.dto';
import { AccessTokenAnswer } from './dto/token-pair.dto';

/** Step-up for the signed-in user: the password again, before what needs a recent authentication. */
@ApiTags('auth')
@ApiBearerAuth()
@Roles('user', 'admin')
@Controller('users/me')
export class ReauthenticationController {
  constructor(private readonly auth: AuthService) {}

  @ApiOperation({
    summary: 'Enter the password again: a new access token whose auth_time is now, for this session',
  })
  @CredentialsEndpoint()
  @HttpCode(HttpStatus.OK)
  @Post('reauthenticate')
  reauthenticate(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: ReauthenticateDto,
    @Ip() clientIp: string,
  ): Promise<AccessTokenAnswer> {
    return this.auth.reauthenticate(user, dto, clientIp);
  }
}
