import { Injectable } from '@nestjs/common';
import { internalFetch, REQUEST_ID_HEADER } from '@runnerly/security';
import { UsersConfig } from '../users.config';
import { TokenDealer } from '../oauth/token-dealer.service';

const PURGE_TIMEOUT_MS = 5_000;

/** Calls `runs`' internal purge endpoint with a service token scoped to exactly that (`runs:purge`). */
@Injectable()
export class RunsClient {
  /** Over mutual TLS when the config says so (INTERNAL_TLS_*): `runs` accepts only its known callers. */
  private readonly fetch: typeof fetch;

  constructor(
    private readonly config: UsersConfig,
    private readonly dealer: TokenDealer,
  ) {
    this.fetch = internalFetch(config);
  }

  get isConfigured(): boolean {
    return this.config.RUNS_URL !== undefined;
  }

  /** Resolves when `runs` confirms that the account has no runs left; rejects otherwise. */
  async purgeRunsOf(accountId: string, requestId?: string): Promise<void> {
    const { token } = this.dealer.issueForSelf(['runs:purge']);
    const url = new URL(
      `internal/users/${encodeURIComponent(accountId)}/runs`,
      withTrailingSlash(this.config.RUNS_URL!),
    );
    const response = await this.fetch(url, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}`, ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}) },
      signal: AbortSignal.timeout(PURGE_TIMEOUT_MS),
    });
    if (response.status !== 204) throw new Error(`runs answered ${response.status}`);
  }
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
