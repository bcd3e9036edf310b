import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { SecurityRedis } from '../redis/security-redis';
import { type UserPrincipal } from './principal';
import { type SessionValidator } from './session-validator';

/** One namespace for every service: `users` writes, everyone reads. */
export const REVOKED_SESSION_KEY_PREFIX = 'runnerly:revoked-session:';
/** The most sessions the in-memory list holds (oldest dropped first), so its memory stays bounded. */
const MAX_MEMORY_ENTRIES = 100_000;

/**
 * The sessions ended before their access tokens expired (logout, password change, role change, refresh
 * token reuse, account deletion). `users` adds them; every service refuses their tokens. An entry only
 * has to outlive the longest access token, so it expires on its own. With REDIS_URL the list is shared
 * by every service and replica; without it, it is this process's only (single-process development).
 * When Redis cannot answer, requests fail closed with 503, as rate limits do.
 */
@Injectable()
export class RevokedSessions implements SessionValidator {
  private readonly memory = new Map<string, number>();

  constructor(@Optional() @Inject(SecurityRedis) private readonly redis: SecurityRedis | null) {}

  /** Whether revocations reach the other services (a shared Redis) or stay in this process. */
  get isShared(): boolean {
    return Boolean(this.redis);
  }

  async revoke(sessionIds: readonly string[], forSeconds: number): Promise<void> {
    if (sessionIds.length === 0) return;
    if (this.redis) {
      const pipeline = this.redis.client.pipeline();
      for (const id of sessionIds) pipeline.set(`${REVOKED_SESSION_KEY_PREFIX}${id}`, '1', 'EX', forSeconds);
      const results = await pipeline.exec().catch(() => null);
      if (!results || results.some(([error]) => error)) throw unavailable();
      return;
    }
    const until = Date.now() + forSeconds * 1000;
    for (const id of sessionIds) {
      this.memory.delete(id);
      if (this.memory.size >= MAX_MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value!);
      this.memory.set(id, until);
    }
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    if (this.redis) {
      const found = await this.redis.client.exists(`${REVOKED_SESSION_KEY_PREFIX}${sessionId}`).catch(() => {
        throw unavailable();
      });
      return found === 1;
    }
    const until = this.memory.get(sessionId);
    if (until !== undefined && until <= Date.now()) this.memory.delete(sessionId);
    return until !== undefined && until > Date.now();
  }

  async current(principal: UserPrincipal): Promise<UserPrincipal | null> {
    return (await this.isRevoked(principal.sessionId)) ? null : principal;
  }
}

function unavailable(): AppException {
  return new AppException(ErrorCode.ServiceBusy, 'Session checks are unavailable. Retry later.');
}
