import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AppException,
  CredentialsEndpoint,
  CurrentUser,
  ErrorCode,
  Public,
  RequireRecentAuthentication,
  Roles,
  type UserPrincipal,
} from '@runnerly/security';
import { type TokenPair } from '../auth/dto/token-pair.dto';
import { OidcCallbackDto, OidcStarted, OidcStatus } from './dto/oidc.dto';
import { OIDC_SETTINGS, type RelyingPartySettings } from './oidc-relying-party';
import { OidcSignIn } from './oidc-sign-in.service';

/**
 * "Sign in with OpenID Connect", for the gateway: it starts a sign-in for a browser (and keeps the binding in
 * that browser's cookie), and completes it with the provider's answer and the cookie's value. No browser calls
 * these routes: the gateway's GET /api/auth/oidc/* do. With OIDC_* unset, every route but the status is a 404.
 */
@ApiTags('auth')
@Controller()
export class OidcController {
  constructor(
    @Inject(OIDC_SETTINGS) private readonly settings: RelyingPartySettings | null,
    private readonly signIn: OidcSignIn,
  ) {}

  @ApiOperation({ summary: 'Whether sign-in with an OpenID provider is on, and the name of the provider' })
  @Public()
  @Get('auth/oidc')
  status(): OidcStatus {
    return { enabled: this.settings !== null, providerName: this.settings?.providerName ?? null };
  }

  @ApiOperation({ summary: 'Start a sign-in at the provider: its authorization URL and the browser binding' })
  @Public()
  @CredentialsEndpoint()
  @Post('auth/oidc/authorizations')
  start(): Promise<OidcStarted> {
    this.ensureEnabled();
    return this.signIn.start();
  }

  @ApiOperation({ summary: "Complete a sign-in (or a link) with the provider's answer: a token pair" })
  @Public()
  @CredentialsEndpoint()
  @HttpCode(HttpStatus.OK)
  @Post('auth/oidc/callback')
  complete(
    @Body() dto: OidcCallbackDto,
    @Headers('user-agent') userAgent: string | undefined,
  ): Promise<TokenPair | { linked: true }> {
    this.ensureEnabled();
    return this.signIn.complete(dto.callbackQuery, dto.binding, userAgent);
  }

  @ApiOperation({
    summary: 'Start linking an identity at the provider to this account (needs a recent authentication)',
  })
  @ApiBearerAuth()
  @Roles('user', 'admin')
  @RequireRecentAuthentication()
  @Post('users/me/identities/oidc')
  startLink(@CurrentUser() user: UserPrincipal): Promise<OidcStarted> {
    this.ensureEnabled();
    return this.signIn.startLink(user);
  }

  private ensureEnabled(): void {
    if (this.settings === null)
      throw new AppException(ErrorCode.NotFound, 'Sign-in with an OpenID provider is not configured.');
  }
}
