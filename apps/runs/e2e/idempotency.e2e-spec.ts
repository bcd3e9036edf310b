import { randomUUID } from 'node:crypto';
import { HttpStatus } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { idempotently, requestFingerprint } from '@runnerly/database';
import { bearer } from '@runnerly/security/testing';
import { type DataSource } from 'typeorm';
import { type RunBody, RunsTestService, type TestPerson, validRun } from './support/runs-test-service';

let service: RunsTestService;
let ada: TestPerson;
let bob: TestPerson;

beforeAll(async () => {
  service = await RunsTestService.start();
}, 60_000);

afterAll(() => service?.close());

beforeEach(() => {
  [ada, bob] = [service.user(), service.user()];
});

function post(owner: TestPerson, key: string | undefined, body: Record<string, unknown> = validRun()) {
  return service.app.inject({
    method: 'POST',
    url: '/runs',
    headers: key === undefined ? owner.headers : { ...owner.headers, 'idempotency-key': key },
    payload: body,
  });
}

const storedKeys = async (accountId: string) =>
  Number(
    (
      await service.db.query<{ count: string }>(
        `SELECT count(*) FROM idempotency_keys WHERE account_id = $1`,
        [accountId],
      )
    )[0]!.count,
  );

describe('POST /runs with an Idempotency-Key', () => {
  it('answers a retry with the first answer, marked replayed, and stores one run', async () => {
    const key = randomUUID();
    const first = await post(ada, key);
    const retry = await post(ada, key);

    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(retry.body).toBe(first.body);
    expect(await service.countRuns(ada.id)).toBe(1);
  });

  it('stores exactly one run for 10 concurrent requests with one key, and gives each the first answer', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(ada, key)));

    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(answers.filter((answer) => answer.headers['idempotency-replayed'] === 'true')).toHaveLength(9);
    expect(await service.countRuns(ada.id)).toBe(1);
  }, 30_000);

  it.each([
    ['another body', { ...validRun(), distanceMeters: 10_001 }],
    ['one member less', { ...validRun(), notes: undefined }],
  ])(
    'refuses the same key with %s (422 IDEMPOTENCY.KEY_REUSED) and stores nothing more',
    async (_case, body) => {
      const key = randomUUID();
      expect((await post(ada, key)).statusCode).toBe(201);

      const reused = await post(ada, key, body);
      expect(reused.statusCode).toBe(422);
      expect(reused.json()).toMatchObject({
        statusCode: 422,
        code: 'IDEMPOTENCY.KEY_REUSED',
        requestId: expect.any(String),
      });
      expect(await service.countRuns(ada.id)).toBe(1);
    },
  );

  it('takes the same body with its members in another order as the same request', async () => {
    const key = randomUUID();
    const body = validRun();
    expect((await post(ada, key, body)).statusCode).toBe(201);

    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const retry = await post(ada, key, reordered);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(await service.countRuns(ada.id)).toBe(1);
  });

  it("records another account's request with the same key as that account's own run, revealing nothing", async () => {
    const key = randomUUID();
    const adas = (await post(ada, key)).json<RunBody>();
    const bobs = await post(bob, key, { ...validRun(), title: 'Bob runs' });

    expect(bobs.statusCode).toBe(201);
    expect(bobs.headers['idempotency-replayed']).toBeUndefined();
    expect(bobs.json()).toMatchObject({ userId: bob.id, title: 'Bob runs' });
    expect(bobs.json<RunBody>().id).not.toBe(adas.id);
    expect(await service.countRuns(ada.id)).toBe(1);
    expect(await service.countRuns(bob.id)).toBe(1);
  });

  it.each([
    ['an empty key', ''],
    ['a key with a space', 'run 1'],
    ['a key of 256 characters', 'k'.repeat(256)],
    ['a non-ASCII key', 'clé-1'],
  ])('refuses %s (400, the error shape) and stores nothing', async (_case, key) => {
    const response = await post(ada, key);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'VALIDATION.FAILED',
      fields: [{ field: 'Idempotency-Key' }],
      requestId: expect.any(String),
    });
    expect(await service.countRuns(ada.id)).toBe(0);
    expect(await storedKeys(ada.id)).toBe(0);
  });

  it('takes a key of 255 visible ASCII characters', async () => {
    expect((await post(ada, '~'.repeat(255))).statusCode).toBe(201);
    expect(await storedKeys(ada.id)).toBe(1);
  });

  it('treats a key stored more than 24 hours ago as new: the request records a second run', async () => {
    const key = randomUUID();
    const first = (await post(ada, key)).json<RunBody>();
    await service.db.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 minute' WHERE account_id = $1`,
      [ada.id],
    );

    const later = await post(ada, key);
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotency-replayed']).toBeUndefined();
    expect(later.json<RunBody>().id).not.toBe(first.id);
    expect(await service.countRuns(ada.id)).toBe(2);
    expect(await storedKeys(ada.id)).toBe(1);
  });

  it('still replays a key stored 23 hours ago', async () => {
    const key = randomUUID();
    await post(ada, key);
    await service.db.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '23 hours' WHERE account_id = $1`,
      [ada.id],
    );
    expect((await post(ada, key)).headers['idempotency-replayed']).toBe('true');
    expect(await service.countRuns(ada.id)).toBe(1);
  });

  it('deletes expired keys of other accounts on a keyed write', async () => {
    await post(bob, randomUUID());
    await service.db.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE account_id = $1`,
      [bob.id],
    );
    await post(ada, randomUUID());
    expect(await storedKeys(bob.id)).toBe(0);
    expect(await service.countRuns(bob.id)).toBe(1);
  });

  it('does not burn the key of a refused request (400): the corrected request with that key is recorded', async () => {
    const key = randomUUID();
    const refused = await post(ada, key, { ...validRun(), distanceMeters: -1 });
    expect(refused.statusCode).toBe(400);
    expect(await storedKeys(ada.id)).toBe(0);

    const corrected = await post(ada, key);
    expect(corrected.statusCode).toBe(201);
    expect(corrected.headers['idempotency-replayed']).toBeUndefined();
    expect(await service.countRuns(ada.id)).toBe(1);
  });

  it("forgets an account's keys and their stored answers when the account is erased", async () => {
    await post(ada, randomUUID());
    const purge = await service.app.inject({
      method: 'DELETE',
      url: `/internal/users/${ada.id}/runs`,
      headers: bearer(service.tokens.service(['runs:purge'])),
    });
    expect(purge.statusCode).toBe(204);
    expect(await storedKeys(ada.id)).toBe(0);
  });

  it('records every request without a key (no key, no protection)', async () => {
    await post(ada, undefined);
    await post(ada, undefined);
    expect(await service.countRuns(ada.id)).toBe(2);
    expect(await storedKeys(ada.id)).toBe(0);
  });
});

describe('idempotently, without the account lock that POST /runs also holds', () => {
  it('runs the write once for 10 concurrent transactions with one key, and each gets its answer', async () => {
    const dataSource = service.app.get<DataSource>(getDataSourceToken());
    const keyed = { key: randomUUID(), fingerprint: requestFingerprint({ method: 'POST', url: '/x' }) };
    let writes = 0;

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        dataSource.transaction((db) =>
          idempotently(db, ada.id, keyed, HttpStatus.CREATED, async () => {
            writes += 1;
            // Holds the claimed key a while, so that the others arrive while it is uncommitted.
            await db.query('SELECT pg_sleep(0.05)');
            return { writer: index };
          }),
        ),
      ),
    );

    expect(writes).toBe(1);
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
    expect(answers.filter((answer) => answer.replayed)).toHaveLength(9);
  });
});
