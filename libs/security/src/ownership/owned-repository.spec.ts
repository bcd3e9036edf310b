import { type Repository } from 'typeorm';
import { type UserPrincipal } from '../auth/principal';
import { AppException } from '../errors/app.exception';
import { OwnedRepository } from './owned-repository';
import { OwnerScope } from './owner-scope';

interface Run {
  id: string;
  userId: string;
  title: string;
}

/** Just enough of a TypeORM repository, in memory, for equality `where` conditions. */
class InMemoryRuns {
  conditions: { sql: string; parameters?: object }[] = [];
  constructor(public rows: Run[]) {}

  private matching(where: Partial<Run>): (row: Run) => boolean {
    return (row) => Object.entries(where).every(([key, value]) => row[key as keyof Run] === value);
  }

  async findOneBy(where: Partial<Run>): Promise<Run | null> {
    return this.rows.find(this.matching(where)) ?? null;
  }

  async update(where: Partial<Run>, changes: Partial<Run>): Promise<{ affected: number }> {
    const hits = this.rows.filter(this.matching(where));
    hits.forEach((row) => Object.assign(row, changes));
    return { affected: hits.length };
  }

  async delete(where: Partial<Run>): Promise<{ affected: number }> {
    const before = this.rows.length;
    this.rows = this.rows.filter((row) => !this.matching(where)(row));
    return { affected: before - this.rows.length };
  }

  createQueryBuilder(): { where: (sql: string, parameters?: object) => unknown } {
    return { where: (sql, parameters) => this.conditions.push({ sql, parameters }) };
  }
}

const principal = (id: string, role: 'user' | 'admin' = 'user'): UserPrincipal => ({
  kind: 'user',
  id,
  role,
  sessionId: 's',
  tokenId: 't',
  secondFactor: false,
});
const ann = OwnerScope.of(principal('ann'));
const everyone = OwnerScope.of(principal('root', 'admin'));

describe('OwnedRepository', () => {
  let table: InMemoryRuns;
  let runs: OwnedRepository<Run>;
  const notFound = expect.objectContaining({ code: 'RESOURCE.NOT_FOUND', message: 'Run not found.' });

  beforeEach(() => {
    table = new InMemoryRuns([
      { id: 'run-ann', userId: 'ann', title: 'Ann morning' },
      { id: 'run-bob', userId: 'bob', title: 'Bob evening' },
    ]);
    runs = new OwnedRepository(table as unknown as Repository<Run>, 'userId', 'Run not found.');
  });

  describe("another owner's object answers exactly like a missing one (404)", () => {
    it.each([
      ['reading', () => runs.findOne(ann, 'run-bob'), () => runs.findOne(ann, 'run-missing')],
      [
        'updating',
        () => runs.update(ann, 'run-bob', { title: 'mine now' }),
        () => runs.update(ann, 'run-missing', { title: 'x' }),
      ],
      ['deleting', () => runs.delete(ann, 'run-bob'), () => runs.delete(ann, 'run-missing')],
    ])('when %s', async (_case, foreign, missing) => {
      const [foreignError, missingError] = await Promise.all([
        foreign().catch((e: unknown) => e),
        missing().catch((e: unknown) => e),
      ]);
      expect(foreignError).toBeInstanceOf(AppException);
      expect(foreignError).toEqual(notFound);
      expect(JSON.stringify(foreignError)).toBe(JSON.stringify(missingError));
    });

    it('and leaves it untouched', async () => {
      await runs.update(ann, 'run-bob', { title: 'mine now' }).catch(() => undefined);
      await runs.delete(ann, 'run-bob').catch(() => undefined);
      expect(table.rows).toContainEqual({ id: 'run-bob', userId: 'bob', title: 'Bob evening' });
    });
  });

  describe("the owner's own objects", () => {
    it('reads one', async () => {
      expect(await runs.findOne(ann, 'run-ann')).toMatchObject({ title: 'Ann morning' });
    });

    it('updates one and returns it changed', async () => {
      expect(await runs.update(ann, 'run-ann', { title: 'Ann long run' })).toMatchObject({
        title: 'Ann long run',
      });
    });

    it('deletes one', async () => {
      await runs.delete(ann, 'run-ann');
      expect(table.rows.map((row) => row.id)).toEqual(['run-bob']);
    });
  });

  it("lets an admin's all-owners scope reach any object", async () => {
    expect(await runs.findOne(everyone, 'run-bob')).toMatchObject({ userId: 'bob' });
  });

  it('adds the owner condition to a where clause, and none for an all-owners scope', () => {
    expect(runs.scoped(ann, { title: 'x' })).toEqual({ title: 'x', userId: 'ann' });
    expect(runs.scoped(everyone, { title: 'x' })).toEqual({ title: 'x' });
  });

  it('overrides an owner condition taken from the request with the scope', () => {
    expect(runs.scoped(ann, { userId: 'bob' })).toEqual({ userId: 'ann' });
  });

  it('starts every query builder with the owner condition as a bound parameter', () => {
    runs.query(ann, 'run');
    runs.query(everyone, 'run');
    expect(table.conditions).toEqual([
      { sql: 'run.userId = :ownerId', parameters: { ownerId: 'ann' } },
      { sql: 'TRUE', parameters: undefined },
    ]);
  });

  describe('deleteAllOf', () => {
    it("deletes every object of one owner and no one else's", async () => {
      expect(await runs.deleteAllOf(OwnerScope.ofOwner('bob'))).toBe(1);
      expect(table.rows.map((row) => row.userId)).toEqual(['ann']);
    });

    it('refuses an all-owners scope, which would delete everything', async () => {
      await expect(runs.deleteAllOf(everyone)).rejects.toThrow(/single-owner scope/);
      expect(table.rows).toHaveLength(2);
    });
  });
});
