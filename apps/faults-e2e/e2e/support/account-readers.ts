import { setTimeout as sleep } from 'node:timers/promises';
import { type Account } from '@runnerly/testing';
import { type Attempt, attempt } from './attempt';

/** Pause between two reads: with the writers, the suite stays under the gateway's 300 requests a minute. */
const PAUSE_MS = 1_000;

/**
 * A client reading its account (`GET /api/users/me`, served by `users`) through the gateway, taking the
 * accounts in turn, so that faults of `users` meet traffic as faults of `runs` meet the writers'. A read is
 * never retried by the client: each attempt is one request, and the gateway's own retries are what counts.
 */
export class AccountReaders {
  readonly attempts: Attempt[] = [];
  private loop: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly gatewayUrl: string,
    private readonly accounts: readonly Account[],
  ) {}

  start(): void {
    this.stopping = false;
    this.loop = this.read();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async read(): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const account = this.accounts[n % this.accounts.length]!;
      this.attempts.push(
        await attempt(`${this.gatewayUrl}/api/users/me`, {
          headers: { authorization: `Bearer ${account.accessToken}` },
        }),
      );
      await sleep(PAUSE_MS);
    }
  }
}
