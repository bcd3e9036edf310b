import { BuiltInsSnapshot, expectSafeAnswer, type FuzzAnswer } from '@runnerly/security/testing';
import { type TestDatabase } from '../test-database';
import { DatabaseFingerprint } from './database-fingerprint';

/** A database of the service under test and the tables a refused request must leave as they were. */
export interface WatchedDatabase {
  db: TestDatabase;
  tables: readonly string[];
}

/**
 * The checks every generated request gets: its answer is 2xx or 4xx in the common error shape
 * (expectSafeAnswer); a refusal (4xx) changed no row of the watched tables; and, when the service runs in
 * this process, Object.prototype, Object and Array.prototype are untouched.
 */
export class FuzzTarget {
  private constructor(
    private readonly fingerprints: readonly DatabaseFingerprint[],
    private readonly builtIns: BuiltInsSnapshot | undefined,
  ) {}

  static async open(options: {
    databases: readonly WatchedDatabase[];
    inProcess: boolean;
  }): Promise<FuzzTarget> {
    const fingerprints = await Promise.all(
      options.databases.map(({ db, tables }) => DatabaseFingerprint.open(db, tables)),
    );
    return new FuzzTarget(fingerprints, options.inProcess ? BuiltInsSnapshot.take() : undefined);
  }

  /** Sends one request through `send` and checks its answer and effects; returns the answer. */
  async check(send: () => Promise<FuzzAnswer>): Promise<FuzzAnswer> {
    const before = await this.takeFingerprints();
    const answer = await send();
    expectSafeAnswer(answer);
    this.builtIns?.expectUnchanged();
    if (answer.status >= 400) {
      const after = await this.takeFingerprints();
      if (JSON.stringify(after) !== JSON.stringify(before))
        throw new Error(
          `A refused request (${answer.status}) changed the database: ${answer.body.slice(0, 300)}`,
        );
    }
    return answer;
  }

  async close(): Promise<void> {
    await Promise.all(this.fingerprints.map((fingerprint) => fingerprint.close()));
  }

  private takeFingerprints() {
    return Promise.all(this.fingerprints.map((fingerprint) => fingerprint.take()));
  }
}
