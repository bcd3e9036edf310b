import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Ip, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import {
  CredentialsEndpoint,
  CurrentUser,
  RequireRecentAuthentication,
  Roles,
  type UserPrincipal,
} from '@runnerly/security';
import { AccountDeletion } from '../run-purge/account-deletion.service';
import { AccountsService } from './accounts.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { UpdateProfileDto } from './dto/update-profile.dto';
import { UserProfile } from './dto/user-profile.dto';

/** The signed-in user's own account. There is no `:id` here: the account is always the caller's. */
@ApiTags('users')
@ApiBearerAuth()
@Roles('user', 'admin')
@Controller('users/me')
export class MeController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly deletion: AccountDeletion,
  ) {}

  @Get()
  async get(@CurrentUser() user: UserPrincipal): Promise<UserProfile> {
    return UserProfile.of(await this.accounts.get(user.id));
  }

  @Patch()
  async update(@CurrentUser() user: UserPrincipal, @Body() dto: UpdateProfileDto): Promise<UserProfile> {
    return UserProfile.of(await this.accounts.updateDisplayName(user.id, dto.displayName));
  }

  @CredentialsEndpoint()
  @HttpCode(HttpStatus.NO_CONTENT)
  @Post('password')
  changePassword(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: ChangePasswordDto,
    @Ip() clientIp: string,
  ): Promise<void> {
    return this.accounts.changePassword(user, dto, clientIp);
  }

  /** Log out everywhere: every session of the account ends, this one included, with its access tokens. */
  @HttpCode(HttpStatus.NO_CONTENT)
  @Delete('sessions')
  logOutEverywhere(@CurrentUser() user: UserPrincipal): Promise<void> {
    return this.accounts.logOutEverywhere(user);
  }

  /** Cannot be undone: a stolen access token alone must not be enough (step-up). */
  @RequireRecentAuthentication()
  @HttpCode(HttpStatus.NO_CONTENT)
  @Delete()
  delete(@CurrentUser() user: UserPrincipal, @Req() request: FastifyRequest): Promise<void> {
    return this.deletion.deleteAccount(user.id, String(request.id));
  }
}
