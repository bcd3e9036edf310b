import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CredentialsEndpoint,
  CurrentUser,
  RequireRecentAuthentication,
  Roles,
  type UserPrincipal,
} from '@runnerly/security';
import { AccountsService } from '../accounts/accounts.service';
import {
  proofOf,
  RecoveryCodes,
  SecondFactorProofDto,
  SecondFactorStatus,
  TotpCodeDto,
  TotpEnrolment,
} from './dto/second-factor.dto';
import { SecondFactor } from './second-factor.service';

/** The caller's own two-factor authentication. Turning it on or off needs a recent password (step-up). */
@ApiTags('users')
@ApiBearerAuth()
@Roles('user', 'admin')
@Controller('users/me/mfa')
export class SecondFactorController {
  constructor(
    private readonly secondFactor: SecondFactor,
    private readonly accounts: AccountsService,
  ) {}

  @Get()
  status(@CurrentUser() user: UserPrincipal): Promise<SecondFactorStatus> {
    return this.secondFactor.status(user.id);
  }

  @RequireRecentAuthentication()
  @Post('totp')
  async startEnrolment(@CurrentUser() user: UserPrincipal): Promise<TotpEnrolment> {
    const account = await this.accounts.get(user.id);
    return this.secondFactor.startEnrolment(user.id, account.email);
  }

  @CredentialsEndpoint()
  @HttpCode(HttpStatus.OK)
  @Post('totp/confirm')
  async confirmEnrolment(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: TotpCodeDto,
  ): Promise<RecoveryCodes> {
    return { recoveryCodes: await this.secondFactor.confirmEnrolment(user.id, dto.code) };
  }

  @RequireRecentAuthentication()
  @CredentialsEndpoint()
  @HttpCode(HttpStatus.NO_CONTENT)
  @Post('disable')
  disable(@CurrentUser() user: UserPrincipal, @Body() dto: SecondFactorProofDto): Promise<void> {
    return this.secondFactor.disable(user.id, proofOf(dto));
  }
}
