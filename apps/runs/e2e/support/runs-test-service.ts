import { randomUUID } from 'node:crypto';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@runnerly/security';
import {
  bearer,
  JwksServer,
  LogCapture,
  initTestApp,
  TestKeys,
  TestTokens,
} from '@runnerly/security/testing';
import { createTestDatabase, type TestDatabase } from '@runnerly/testing';
import { createRunsApp } from '../../src/runs.app';
import { RunsConfig } from '../../src/runs.config';

/** A person with an id and a ready access token. */
export interface TestPerson {
  id: string;
  token: string;
  headers: { authorization: string };
}

/**
 * The real `runs` service, in-process, on its own fresh database, verifying tokens with keys it fetches
 * from a JWKS server. One per test file: keys, database and app cost a second or two.
 */
export class RunsTestService {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly db: TestDatabase,
    readonly keys: TestKeys,
    readonly tokens: TestTokens,
    readonly jwks: JwksServer,
    readonly logs: LogCapture,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<RunsTestService> {
    const keys = TestKeys.generate();
    const tokens = new TestTokens(keys);
    const [jwks, db] = await Promise.all([JwksServer.start(keys.ring.jwks()), createTestDatabase('runs')]);
    const logs = new LogCapture();
    const config = loadConfig(RunsConfig, {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      JWT_ISSUER: tokens.issuer,
      JWKS_URL: jwks.url,
      LOG_LEVEL: 'info',
      // Tests send hundreds of requests a minute from one IP; rate limiting has its own tests.
      RATE_LIMIT_GENERAL_LIMIT: '100000',
      ...env,
    });
    const app = await initTestApp(await createRunsApp(config, { logDestination: logs }));
    return new RunsTestService(app, db, keys, tokens, jwks, logs);
  }

  user(id: string = randomUUID()): TestPerson {
    return person(id, this.tokens.user({ userId: id }));
  }

  /** An admin; `secondFactor`: whether their session entered one (where admin powers need it). */
  admin(id: string = randomUUID(), { secondFactor = false } = {}): TestPerson {
    return person(id, this.tokens.admin({ userId: id, secondFactor }));
  }

  /** Creates a run through the API as `owner`; `fields` override a valid body. */
  async createRun(owner: TestPerson, fields: Record<string, unknown> = {}): Promise<RunBody> {
    const response = await this.app.inject({
      method: 'POST',
      url: '/runs',
      headers: owner.headers,
      payload: { ...validRun(), ...fields },
    });
    if (response.statusCode !== 201)
      throw new Error(`creating a run answered ${response.statusCode}: ${response.body}`);
    return response.json<RunBody>();
  }

  /** Inserts a run straight into the database (as the admin role), for bulk or historical fixtures. */
  async insertRun(
    userId: string,
    fields: { startedAt: Date; distanceMeters?: number; durationSeconds?: number; title?: string },
  ): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO runs (user_id, title, distance_meters, duration_seconds, started_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [
        userId,
        fields.title ?? 'Fixture run',
        fields.distanceMeters ?? 5_000,
        fields.durationSeconds ?? 1_800,
        fields.startedAt,
      ],
    );
    return row!.id;
  }

  /** The run's row as stored, or undefined. */
  async storedRun(id: string): Promise<Record<string, unknown> | undefined> {
    const [row] = await this.db.query(`SELECT * FROM runs WHERE id = $1`, [id]);
    return row;
  }

  async countRuns(userId?: string): Promise<number> {
    const [row] = userId
      ? await this.db.query<{ count: string }>(`SELECT count(*) FROM runs WHERE user_id = $1`, [userId])
      : await this.db.query<{ count: string }>(`SELECT count(*) FROM runs`);
    return Number(row!.count);
  }

  async close(): Promise<void> {
    await this.app?.close();
    await Promise.all([this.jwks?.close(), this.db?.drop()]);
  }
}

export interface RunBody {
  id: string;
  userId: string;
  title: string;
  notes: string | null;
  distanceMeters: number;
  durationSeconds: number;
  startedAt: string;
  createdAt: string;
  updatedAt: string;
}

/** A body POST /runs accepts. */
export function validRun(): Record<string, unknown> {
  return {
    title: 'Morning run',
    distanceMeters: 10_000,
    durationSeconds: 3_000,
    startedAt: '2024-05-01T07:30:00.000Z',
    notes: 'Easy pace.',
  };
}

function person(id: string, token: string): TestPerson {
  return { id, token, headers: bearer(token) };
}
