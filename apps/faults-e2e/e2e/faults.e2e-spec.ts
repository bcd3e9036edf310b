import { setTimeout as sleep } from 'node:timers/promises';
import { type Account, GatewayClient } from '@runnerly/testing';
import { AccountReaders } from './support/account-readers';
import { type Attempt, failed } from './support/attempt';
import { type FaultResult, seconds, writeFaultReport } from './support/fault-report';
import { FAULTS_SUITE } from './support/faults-env';
import { type IntendedWrite, RunWriters } from './support/run-writers';
import { type ContainerLife, StackFaults } from './support/stack-faults';

// The stack's promise under faults: whatever single component crashes or stops, no write a client saw
// acknowledged is lost, a retried write is never stored twice, no answer is a 500 or leaves the error shape,
// writes succeed again soon after the component is back, and no other container exits. With two replicas of
// `users` and `runs`, losing one of them fails no request at all: writes carry idempotency keys and reads are
// GETs, so the gateway may send any request the lost replica did not answer to the other one.

interface Fault {
  /** The compose service whose container the fault hits. */
  service: 'postgres' | 'redis' | 'users' | 'runs' | 'gateway';
  /** What that is, for the test names: `users` and `runs` run as two replicas each. */
  component: string;
  how: 'crashed' | 'stopped for 5 s';
}

const FAULTS: Fault[] = [
  { service: 'postgres', component: 'PostgreSQL', how: 'crashed' },
  { service: 'postgres', component: 'PostgreSQL', how: 'stopped for 5 s' },
  { service: 'redis', component: 'Redis', how: 'crashed' },
  { service: 'redis', component: 'Redis', how: 'stopped for 5 s' },
  { service: 'users', component: 'one users replica', how: 'crashed' },
  { service: 'users', component: 'one users replica', how: 'stopped for 5 s' },
  { service: 'runs', component: 'one runs replica', how: 'crashed' },
  { service: 'runs', component: 'one runs replica', how: 'stopped for 5 s' },
  { service: 'gateway', component: 'the gateway', how: 'crashed' },
];
const OUTAGE_MS = 5_000;
/** Writes must be acknowledged again within this time of the component being healthy again. */
const RECOVERY_SECONDS = 30;
const SCENARIO_TIMEOUT_MS = 5 * 60_000;

FAULTS_SUITE.describe('the compose stack under faults', ({ gatewayUrl, project }) => {
  const faults = new StackFaults(project);
  const results: FaultResult[] = [];
  let accounts: Account[];

  beforeAll(async () => {
    const api = new GatewayClient(gatewayUrl);
    accounts = [await api.signUp('writer'), await api.signUp('writer')];
  }, 60_000);

  afterAll(() => writeFaultReport(results));

  describe.each(FAULTS)('with $component $how', ({ service, component, how }) => {
    const label = `${component} ${how}`;
    let writers: RunWriters;
    let readers: AccountReaders;
    let before: Map<string, ContainerLife>;
    let after: Map<string, ContainerLife>;
    let faultAt: number;
    let backAt: number;
    let firstWriteAfterBack: number | undefined;
    let stored: Map<string, number>;
    /** The 500s, if any, with what the services logged about them: a failure says which error escaped. */
    let serverErrors: { answers: Attempt[]; logged: string[] };

    beforeAll(async () => {
      writers = new RunWriters(gatewayUrl, accounts, label);
      readers = new AccountReaders(gatewayUrl, accounts);
      before = await faults.lives();
      writers.start();
      readers.start();
      await sleep(2_000);

      faultAt = Date.now();
      if (how === 'crashed') await faults.kill(service);
      else await faults.stopFor(service, OUTAGE_MS);
      backAt = await faults.backAndHealthy(service, before.get(service)!);

      const deadline = backAt + RECOVERY_SECONDS * 1_000;
      while (
        Date.now() < deadline &&
        (firstWriteAfterBack = writers.firstAcknowledgedSince(backAt)) === undefined
      )
        await sleep(250);
      await sleep(2_000);
      await Promise.all([writers.stop(), readers.stop()]);

      after = await faults.lives();
      stored = await storedTitles(gatewayUrl, accounts, label);
      const answers = [...writers.attempts, ...readers.attempts].filter(({ status }) => status === 500);
      serverErrors = {
        answers,
        logged: await faults.logLinesAbout(answers.flatMap(({ requestId }) => requestId ?? [])),
      };
      results.push(measure(label, writers, readers, stored, faultAt, backAt, firstWriteAfterBack));
    }, SCENARIO_TIMEOUT_MS);

    it('loses no acknowledged write, and stores no write twice', () => {
      const acknowledged = writers.writes.filter((write) => write.acknowledgedAt !== undefined);
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(acknowledged.filter((write) => stored.get(write.title) !== 1)).toEqual([]);
      expect([...stored].filter(([, count]) => count > 1)).toEqual([]);
    });

    it('never answers 500, and answers every error in the common shape with a request id (writes and account reads)', () => {
      const errors = [...writers.attempts, ...readers.attempts].filter(
        (attempt) => attempt.status !== 'no answer' && attempt.status >= 400,
      );
      expect(serverErrors).toEqual({ answers: [], logged: [] });
      expect(errors.filter((attempt) => !attempt.safeShape)).toEqual([]);
    });

    if (service === 'users' || service === 'runs')
      it(`fails no request while ${component} is down: the other replica answers every write and every account read`, () => {
        expect(readers.attempts.length).toBeGreaterThan(0);
        const failures = (attempts: Attempt[]) => attempts.filter(failed);
        expect({ writes: failures(writers.attempts), reads: failures(readers.attempts) }).toEqual({
          writes: [],
          reads: [],
        });
      });

    it(`stores writes again within ${RECOVERY_SECONDS} s of ${component} being back`, () => {
      expect(firstWriteAfterBack).toBeDefined();
    });

    it(`takes no other container down with ${component}`, () => {
      for (const [name, life] of before) {
        if (name === service || !life.running) continue;
        expect({ name, ...after.get(name) }).toEqual({ name, ...life });
      }
    });
  });
});

/** How many times each title of this scenario is stored, over every page of each writer's runs. */
async function storedTitles(
  gatewayUrl: string,
  accounts: readonly Account[],
  label: string,
): Promise<Map<string, number>> {
  const api = new GatewayClient(gatewayUrl);
  const counts = new Map<string, number>();
  for (const account of accounts) {
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
      const page = await api.call<{ items: { title: string }[]; nextCursor: string | null }>(
        'GET',
        `/api/runs${query}`,
        { token: account.accessToken },
      );
      if (page.status !== 200) throw new Error(`listing runs: ${page.status} ${JSON.stringify(page.body)}`);
      for (const { title } of page.body.items)
        if (title.startsWith(label)) counts.set(title, (counts.get(title) ?? 0) + 1);
      cursor = page.body.nextCursor;
    } while (cursor);
  }
  return counts;
}

function measure(
  fault: string,
  writers: RunWriters,
  readers: AccountReaders,
  stored: Map<string, number>,
  faultAt: number,
  backAt: number,
  firstWriteAfterBack: number | undefined,
): FaultResult {
  const acknowledged = writers.writes.filter(
    (write): write is Required<IntendedWrite> => write.acknowledgedAt !== undefined,
  );
  const errorAnswers: Record<string, number> = {};
  for (const { status } of writers.attempts)
    if (status !== 'no answer' && status >= 400) errorAnswers[status] = (errorAnswers[status] ?? 0) + 1;
  const times = [
    faultAt,
    ...acknowledged
      .map((write) => write.acknowledgedAt)
      .filter((at) => at > faultAt)
      .sort((a, b) => a - b),
  ];
  const gaps = times.slice(1).map((at, index) => at - times[index]!);
  return {
    fault,
    acknowledged: acknowledged.length,
    errorAnswers,
    unanswered: writers.attempts.filter((attempt) => attempt.status === 'no answer').length,
    reads: readers.attempts.length,
    readsFailed: readers.attempts.filter(failed).length,
    longestGapSeconds: seconds(Math.max(0, ...gaps)),
    backAfterSeconds: seconds(backAt - faultAt),
    firstWriteAfterSeconds:
      firstWriteAfterBack === undefined ? undefined : seconds(firstWriteAfterBack - backAt),
    lost: acknowledged.filter((write) => stored.get(write.title) !== 1).length,
    storedTwice: [...stored.values()].filter((count) => count > 1).length,
  };
}
