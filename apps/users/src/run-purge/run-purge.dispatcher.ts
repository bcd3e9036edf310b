import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PeriodicTask } from '@runnerly/platform';
import { DataSource } from 'typeorm';
import { UsersConfig } from '../users.config';
import { RunPurgeRequest } from './run-purge-request.entity';
import { RunsClient } from './runs.client';

const MAX_RETRY_DELAY_MS = 5 * 60_000;
const BATCH = 20;

/**
 * Delivers the run-purge outbox: each due request is sent to `runs`, removed once `runs` acknowledges
 * it, and otherwise retried with exponential backoff. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * several replicas of `users` never send the same purge at once. The poll runs as a `PeriodicTask`, so
 * an unreachable database is logged and retried with backoff instead of crashing the process.
 */
@Injectable()
export class RunPurgeDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RunPurge');
  private readonly poll: PeriodicTask;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly runs: RunsClient,
    private readonly config: UsersConfig,
  ) {
    this.poll = new PeriodicTask({
      name: 'run-purge',
      intervalMs: config.RUN_PURGE_POLL_INTERVAL_MS,
      run: () => this.dispatchBatch(),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.runs.isConfigured) {
      this.logger.warn('RUNS_URL is not set: run purges of deleted accounts stay queued until it is');
      return;
    }
    this.poll.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.poll.stop();
  }

  /** Starts sending the due purges now, without waiting; a pass already running takes them. */
  dispatchSoon(): void {
    if (this.runs.isConfigured) this.poll.trigger();
  }

  private async dispatchBatch(): Promise<void> {
    for (let sent = 0; sent < BATCH; sent++) {
      const more = await this.dataSource.transaction(async (db) => {
        const due = await db
          .createQueryBuilder(RunPurgeRequest, 'request')
          .where('request.nextAttemptAt <= now()')
          .orderBy('request.nextAttemptAt')
          .limit(1)
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getOne();
        if (!due) return false;
        try {
          await this.runs.purgeRunsOf(due.accountId, due.requestId ?? undefined);
          await db.delete(RunPurgeRequest, { accountId: due.accountId });
          this.logger.log({ accountId: due.accountId }, 'Purged the runs of a deleted account');
        } catch (error) {
          const delay = Math.min(this.config.RUN_PURGE_RETRY_BASE_MS * 2 ** due.attempts, MAX_RETRY_DELAY_MS);
          await db.update(
            RunPurgeRequest,
            { accountId: due.accountId },
            {
              attempts: due.attempts + 1,
              nextAttemptAt: new Date(Date.now() + delay),
              lastError: String(error).slice(0, 200),
            },
          );
          this.logger.warn(
            { accountId: due.accountId, attempts: due.attempts + 1, retryInMs: delay },
            'Run purge failed; will retry',
          );
        }
        return true;
      });
      if (!more) return;
    }
  }
}
