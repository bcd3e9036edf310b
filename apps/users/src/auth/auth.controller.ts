import { Body, Controller, Headers, HttpCode, HttpStatus, Ip, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CredentialsEndpoint, Public } from '@runnerly/security';
import { type FastifyRequest } from 'fastify';
import { AccountsService } from '../accounts/accounts.service';
import { RegisterDto } from '../accounts/dto/register.dto';
import { UserProfile } from '../accounts/dto/user-profile.dto';
import { EmailVerification } from '../email-links/email-verification.service';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { SecondFactorRequired, TokenPair } from './dto/token-pair.dto';
import { LoginSecondStepDto } from '../mfa/dto/second-factor.dto';

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
    private readonly verification: EmailVerification,
  ) {}

  @ApiOperation({ summary: 'Create an account (role "user"); a link to verify its email is mailed' })
  @CredentialsEndpoint()
  @Post('register')
  async register(@Body() dto: RegisterDto, @Req() request: FastifyRequest): Promise<UserProfile> {
    const account = await this.accounts.register(dto);
    await this.verification.request(account.email, String(request.id));
    return UserProfile.of(account);
  }

  @ApiOperation({ summary: 'Exchange email and password for an access token and a refresh token' })
  @CredentialsEndpoint()
  @HttpCode(HttpStatus.OK)
  @Post('login')
  login(
    @Body() dto: LoginDto,
    @Ip() clientIp: string,
    @Headers('user-agent') userAgent: string | undefined,
  ): Promise<TokenPair | SecondFactorRequired> {
    return this.auth.login(dto, clientIp, userAgent);
  }

  @ApiOperation({
    summary: 'Second step of a login with two-factor on: the login token and a code (or a recovery code)',
  })
  @CredentialsEndpoint()
  @HttpCode(HttpStatus.OK)
  @Post('login/second-factor')
  completeLogin(@Body() dto: LoginSecondStepDto): Promise<TokenPair> {
    return this.auth.completeLogin(dto);
  }

  @ApiOperation({ summary: 'Exchange a refresh token for a new pair; the old refresh token is spent' })
  @CredentialsEndpoint()
  @HttpCode(HttpStatus.OK)
  @Post('refresh')
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPair> {
    return this.auth.refresh(dto.refreshToken);
  }

  @ApiOperation({ summary: 'End the session of a refresh token (all tokens of its family)' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Post('logout')
  logout(@Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(dto.refreshToken);
  }
}
