import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentUser,
  PageQuery,
  RequireRecentAuthentication,
  Roles,
  type UserPrincipal,
  uuidParam,
} from '@runnerly/security';
import { AccountsService } from './accounts.service';
import { ChangeRoleDto } from './dto/change-role.dto';
import { UserPage, UserProfile } from './dto/user-profile.dto';

/** Administration of accounts: admins only, enforced for the whole controller. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class AdminUsersController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  list(@Query() query: PageQuery): Promise<UserPage> {
    return this.accounts.list(query);
  }

  /** Grants or takes away power over every account: a stolen admin token alone must not be enough (step-up). */
  @RequireRecentAuthentication()
  @Patch(':id/role')
  async changeRole(
    @CurrentUser() admin: UserPrincipal,
    @Param('id', uuidParam()) id: string,
    @Body() dto: ChangeRoleDto,
  ): Promise<UserProfile> {
    return UserProfile.of(await this.accounts.changeRole(admin, id, dto.role));
  }

  /** Ends every session of the account: its owner has to log in again on every device. */
  @HttpCode(HttpStatus.NO_CONTENT)
  @Delete(':id/sessions')
  async endSessions(
    @CurrentUser() admin: UserPrincipal,
    @Param('id', uuidParam()) id: string,
  ): Promise<void> {
    await this.accounts.endSessionsOf(id, admin.id);
  }
}
