import { Controller, Delete, Get, HttpCode, HttpStatus, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type UserPrincipal, uuidParam } from '@runnerly/security';
import { AccountSessions } from './account-sessions.service';
import { SessionList } from './dto/session.view';

/** The caller's own sessions. Ending all of them, this one included, is `DELETE /users/me/sessions`. */
@ApiTags('users')
@ApiBearerAuth()
@Roles('user', 'admin')
@Controller('users/me/sessions')
export class AccountSessionsController {
  constructor(private readonly sessions: AccountSessions) {}

  @Get()
  list(@CurrentUser() user: UserPrincipal): Promise<SessionList> {
    return this.sessions.list(user);
  }

  @HttpCode(HttpStatus.NO_CONTENT)
  @Delete('others')
  endOthers(@CurrentUser() user: UserPrincipal): Promise<void> {
    return this.sessions.endOthers(user);
  }

  @HttpCode(HttpStatus.NO_CONTENT)
  @Delete(':id')
  end(@CurrentUser() user: UserPrincipal, @Param('id', uuidParam()) id: string): Promise<void> {
    return this.sessions.end(user, id);
  }
}
