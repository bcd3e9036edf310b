import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Account } from '@runnerly/testing';
import { type Attempt, attempt } from './attempt';

/** Pause between two requests of one writer: two writers stay under the gateway's 300 requests a minute. */
const PAUSE_MS = 600;

/** One run a writer wants stored: retried under the same idempotency key until the API acknowledges it. */
export interface IntendedWrite {
  accountId: string;
  title: string;
  idempotencyKey: string;
  /** The request body, the same in every attempt: a retry is the same request, or the key is refused (422). */
  body: string;
  /** When the API answered 201 (ms since the epoch); undefined while it has not. */
  acknowledgedAt?: number;
}

/**
 * Clients recording runs through the gateway, one loop per account, as a careful mobile app would: every run
 * gets an idempotency key, and a write that fails in any way (an error answer, no answer) is retried with the
 * same key until it is acknowledged. What they intended and every attempt are kept for the checks.
 */
export class RunWriters {
  readonly writes: IntendedWrite[] = [];
  readonly attempts: Attempt[] = [];
  private loops: Promise<void>[] = [];
  private stopping = false;
  private stopDeadline = Infinity;

  constructor(
    private readonly gatewayUrl: string,
    private readonly accounts: readonly Account[],
    private readonly label: string,
  ) {}

  start(): void {
    this.stopping = false;
    this.stopDeadline = Infinity;
    this.loops = this.accounts.map((account) => this.write(account));
  }

  /** Stops after the writes in progress were acknowledged, or gave up when `graceMs` ran out. */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    this.stopDeadline = Date.now() + graceMs;
    await Promise.all(this.loops);
  }

  /** The first acknowledgement at or after `since`, or undefined. */
  firstAcknowledgedSince(since: number): number | undefined {
    return this.writes
      .map((write) => write.acknowledgedAt)
      .filter((at): at is number => at !== undefined && at >= since)
      .sort((a, b) => a - b)[0];
  }

  private async write(account: Account): Promise<void> {
    for (let n = 1; !this.stopping; n++) {
      const title = `${this.label} ${account.id.slice(0, 8)} #${n}`;
      const write: IntendedWrite = {
        accountId: account.id,
        title,
        idempotencyKey: randomUUID(),
        body: JSON.stringify({
          title,
          distanceMeters: 5_000,
          durationSeconds: 1_500,
          startedAt: new Date().toISOString(),
        }),
      };
      this.writes.push(write);
      // An unacknowledged write is finished before stopping (within the grace), as a client would.
      while (write.acknowledgedAt === undefined && Date.now() < this.stopDeadline) {
        const attempt = await this.post(account, write);
        this.attempts.push(attempt);
        if (attempt.status === 201) write.acknowledgedAt = attempt.at;
        await sleep(PAUSE_MS);
      }
    }
  }

  private post(account: Account, write: IntendedWrite): Promise<Attempt> {
    return attempt(`${this.gatewayUrl}/api/runs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${account.accessToken}`,
        'content-type': 'application/json',
        'idempotency-key': write.idempotencyKey,
      },
      body: write.body,
    });
  }
}
