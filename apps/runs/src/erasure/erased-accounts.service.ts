import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppException, ErrorCode } from '@runnerly/security';
import { DataSource, type EntityManager } from 'typeorm';
import { ErasedAccount } from './erased-account.entity';

/**
 * The erasure of an account and the writes of that account never interleave: both run in a transaction
 * holding the account's advisory lock, the erasure exclusively and each write shared. So a run created
 * while the purge arrives is either deleted by it, or refused after it; none can slip in between. Writes
 * of one account do not wait for each other: only the erasure, which is rare, waits for them all.
 */
@Injectable()
export class ErasedAccounts {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A write on behalf of `userId`, refused (401) when the account was erased. */
  writeFor<T>(userId: string, write: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.whileLocked(userId, 'shared', async (db) => {
      if (await db.existsBy(ErasedAccount, { userId })) {
        throw new AppException(ErrorCode.Unauthenticated, 'This account no longer exists.');
      }
      return write(db);
    });
  }

  /** Records the erasure, then runs `purge`, in one transaction. Idempotent. */
  erase<T>(userId: string, purge: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.whileLocked(userId, 'exclusive', async (db) => {
      await db.createQueryBuilder().insert().into(ErasedAccount).values({ userId }).orIgnore().execute();
      return purge(db);
    });
  }

  private whileLocked<T>(
    userId: string,
    mode: 'shared' | 'exclusive',
    work: (db: EntityManager) => Promise<T>,
  ): Promise<T> {
    const lock = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
    return this.dataSource.transaction(async (db) => {
      await db.query(`SELECT ${lock}(hashtextextended($1, 0))`, [userId]);
      return work(db);
    });
  }
}
