import { Injectable } from '@nestjs/common';
import {
  AppException,
  AuditEvent,
  AuditLog,
  CredentialThrottle,
  ErrorCode,
  type IssuedToken,
  TokenIssuer,
} from '@runnerly/security';
import { UsersConfig } from '../users.config';
import {
  parseServiceClients,
  type ServiceClient,
  type ServiceScope,
  secretMatches,
  USERS_SERVICE_CLIENT_ID,
} from './service-clients';

/**
 * The "token dealer" of the book, done with OAuth 2.0 client credentials: services authenticate with
 * their id and secret and receive a short-lived RS256 token carrying only the scopes they asked for
 * (and were granted). Service tokens have their own audience and type, so they never pass as a user.
 */
@Injectable()
export class TokenDealer {
  private readonly clients: ReadonlyMap<string, ServiceClient>;

  constructor(
    config: UsersConfig,
    private readonly issuer: TokenIssuer,
    private readonly throttle: CredentialThrottle,
    private readonly audit: AuditLog,
  ) {
    this.clients = new Map(
      parseServiceClients(config.OAUTH_CLIENTS).map((client) => [client.clientId, client]),
    );
  }

  /**
   * For a remote client: checks its secret, then its scopes. Failed secrets are throttled per client id
   * and caller address, like passwords (the secrets are long random strings, but a caller that keeps
   * failing is probing, and costs work).
   */
  async authenticateAndIssue(
    clientId: string,
    secret: string,
    callerIp: string,
    requestedScopes?: readonly string[],
  ): Promise<{ token: IssuedToken; scopes: readonly string[] }> {
    const client = await this.throttle.authenticate(`client:${clientId}`, callerIp, async () =>
      secretMatches(this.clients.get(clientId), secret) ? this.clients.get(clientId)! : null,
    );
    if (!client) {
      this.audit.record(AuditEvent.ServiceTokenDenied, {
        clientId: clientId.slice(0, 64),
        reason: 'invalid client credentials',
      });
      throw new AppException(ErrorCode.InvalidClient, 'Invalid client credentials.');
    }
    const scopes = requestedScopes ?? client.scopes;
    const refused = scopes.filter((scope) => !(client.scopes as readonly string[]).includes(scope));
    if (refused.length > 0) {
      this.audit.record(AuditEvent.ServiceTokenDenied, {
        clientId,
        reason: `scope not granted: ${refused.join(' ')}`,
      });
      throw new AppException(ErrorCode.Forbidden, 'The client may not request these scopes.');
    }
    return { token: this.issue(clientId, scopes), scopes };
  }

  /** For `users` itself, e.g. to purge a deleted user's runs. */
  issueForSelf(scopes: readonly ServiceScope[]): IssuedToken {
    return this.issue(USERS_SERVICE_CLIENT_ID, scopes);
  }

  private issue(clientId: string, scopes: readonly string[]): IssuedToken {
    const token = this.issuer.issueServiceToken({ clientId, scopes });
    this.audit.record(AuditEvent.ServiceTokenIssued, { clientId, scope: scopes.join(' ') });
    return token;
  }
}
