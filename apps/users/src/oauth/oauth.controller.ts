import { Body, Controller, Headers, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppException, CredentialsEndpoint, ErrorCode, Public } from '@runnerly/security';
import { ClientCredentialsDto, type ServiceTokenResponse } from './dto/client-credentials.dto';
import { TokenDealer } from './token-dealer.service';

/**
 * POST /oauth/token: internal only. The gateway never routes it, and only services on the internal
 * network can reach `users`.
 */
@ApiExcludeController()
@Public()
@Controller('oauth')
export class OAuthController {
  constructor(private readonly dealer: TokenDealer) {}

  @CredentialsEndpoint()
  @HttpCode(HttpStatus.OK)
  @Post('token')
  async token(
    @Body() dto: ClientCredentialsDto,
    @Ip() callerIp: string,
    @Headers('authorization') authorization?: string,
  ): Promise<ServiceTokenResponse> {
    const { clientId, secret } = clientCredentialsOf(dto, authorization);
    const { token, scopes } = await this.dealer.authenticateAndIssue(
      clientId,
      secret,
      callerIp,
      dto.scope?.split(' '),
    );
    return {
      access_token: token.token,
      token_type: 'Bearer',
      expires_in: token.expiresIn,
      scope: scopes.join(' '),
    };
  }
}

/** HTTP Basic (RFC 6749 §2.3.1, id and secret form-encoded), or the body fields; never both. */
function clientCredentialsOf(
  dto: ClientCredentialsDto,
  authorization?: string,
): { clientId: string; secret: string } {
  const basic = authorization?.match(/^Basic ([A-Za-z0-9+/=]{1,512})$/)?.[1];
  const inBody = dto.client_id !== undefined || dto.client_secret !== undefined;
  if (basic && !inBody) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0)
      return { clientId: safeDecode(decoded.slice(0, colon)), secret: safeDecode(decoded.slice(colon + 1)) };
  }
  if (!authorization && dto.client_id && dto.client_secret)
    return { clientId: dto.client_id, secret: dto.client_secret };
  throw new AppException(ErrorCode.InvalidClient, 'Invalid client credentials.');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
