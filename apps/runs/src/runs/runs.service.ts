import { InjectRepository } from '@nestjs/typeorm';
import { HttpStatus, Injectable } from '@nestjs/common';
import {
  decodeCursor,
  type IdempotentAnswer,
  idempotently,
  type KeyedRequest,
  toPage,
} from '@runnerly/database';
import { AppException, ErrorCode, OwnerScope, type UserPrincipal } from '@runnerly/security';
import { type QueryDeepPartialEntity, Repository } from 'typeorm';
import { ErasedAccounts } from '../erasure/erased-accounts.service';
import { type CreateRunDto } from './dto/create-run.dto';
import { type ListRunsQuery } from './dto/list-runs.query';
import { RunPage, RunView } from './dto/run.view';
import { type UpdateRunDto } from './dto/update-run.dto';
import { OwnedRuns } from './owned-runs.repository';
import { Run } from './run.entity';

/**
 * A runner's runs. Every read, change and delete goes through OwnedRuns with the caller's OwnerScope:
 * users reach only their own runs, admins everyone's.
 */
@Injectable()
export class RunsService {
  constructor(
    @InjectRepository(Run) private readonly repository: Repository<Run>,
    private readonly runs: OwnedRuns,
    private readonly erasedAccounts: ErasedAccounts,
  ) {}

  /**
   * The owner is the caller, always: there is no way to create a run for someone else. An erased
   * account (deleted in `users`, its runs purged) can create nothing, even with a still-valid token.
   * With an Idempotency-Key, a retry gets the first answer back instead of a second run.
   */
  create(user: UserPrincipal, dto: CreateRunDto, keyed?: KeyedRequest): Promise<IdempotentAnswer<RunView>> {
    const run = this.repository.create({
      userId: user.id,
      title: dto.title,
      notes: dto.notes ?? null,
      distanceMeters: dto.distanceMeters,
      durationSeconds: dto.durationSeconds,
      startedAt: new Date(dto.startedAt),
    });
    return this.erasedAccounts.writeFor(user.id, (db) =>
      idempotently(db, user.id, keyed, HttpStatus.CREATED, async () => RunView.of(await db.save(run))),
    );
  }

  async get(user: UserPrincipal, id: string): Promise<RunView> {
    return RunView.of(await this.runs.findOne(OwnerScope.of(user), id));
  }

  async update(user: UserPrincipal, id: string, dto: UpdateRunDto): Promise<RunView> {
    return RunView.of(await this.runs.update(OwnerScope.of(user), id, changesOf(dto)));
  }

  delete(user: UserPrincipal, id: string): Promise<void> {
    return this.runs.delete(OwnerScope.of(user), id);
  }

  /** Newest first; the position of the last row is the next page's cursor (keyset pagination). */
  async list(user: UserPrincipal, query: ListRunsQuery): Promise<RunPage> {
    const builder = this.runs
      .query(OwnerScope.of(user, query.userId), 'run')
      .orderBy('run.startedAt', 'DESC')
      .addOrderBy('run.id', 'DESC')
      .limit(query.limit + 1);
    if (query.from) builder.andWhere('run.startedAt >= :from', { from: new Date(query.from) });
    if (query.to) builder.andWhere('run.startedAt <= :to', { to: new Date(query.to) });
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      builder.andWhere('(run.startedAt, run.id) < (:at, :id)', { at: after.at, id: after.id });
    }
    return toPage(
      await builder.getMany(),
      query.limit,
      (run) => ({ at: run.startedAt, id: run.id }),
      RunView.of,
    );
  }
}

/** Copies the changed fields one by one (never the DTO itself), so nothing else can reach the UPDATE. */
function changesOf(dto: UpdateRunDto): QueryDeepPartialEntity<Run> {
  const changes: QueryDeepPartialEntity<Run> = {};
  if (dto.title !== undefined) changes.title = dto.title;
  if (dto.notes !== undefined) changes.notes = dto.notes;
  if (dto.distanceMeters !== undefined) changes.distanceMeters = dto.distanceMeters;
  if (dto.durationSeconds !== undefined) changes.durationSeconds = dto.durationSeconds;
  if (dto.startedAt !== undefined) changes.startedAt = new Date(dto.startedAt);
  if (Object.keys(changes).length === 0) {
    throw new AppException(ErrorCode.ValidationFailed, 'The request is invalid.', [
      {
        field: 'body',
        problems: ['give at least one of title, notes, distanceMeters, durationSeconds, startedAt'],
      },
    ]);
  }
  return changes;
}
