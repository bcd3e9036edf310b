import {
  type EntityManager,
  type FindOptionsWhere,
  type ObjectLiteral,
  type QueryDeepPartialEntity,
  type Repository,
  type SelectQueryBuilder,
} from 'typeorm';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { type OwnerScope } from './owner-scope';

/**
 * A repository whose every query carries the owner condition, so object-level authorization is part of
 * the SQL rather than an `if` after the fact. An object that exists but belongs to someone else answers
 * exactly like a missing one (404), so ids of other users' objects cannot even be confirmed.
 */
export class OwnedRepository<Entity extends ObjectLiteral & { id: string }> {
  constructor(
    private readonly repository: Repository<Entity>,
    /** The entity property holding the owner's id, e.g. 'userId'. */
    private readonly ownerProperty: keyof Entity & string,
    private readonly notFoundMessage = 'Not found.',
  ) {}

  /** The same repository, working inside the transaction of `manager`. */
  within(manager: EntityManager): OwnedRepository<Entity> {
    return new OwnedRepository(
      manager.getRepository<Entity>(this.repository.target),
      this.ownerProperty,
      this.notFoundMessage,
    );
  }

  /** `where` restricted to the scope's owner. */
  scoped(scope: OwnerScope, where: FindOptionsWhere<Entity> = {}): FindOptionsWhere<Entity> {
    return scope.ownerId === null
      ? where
      : ({ ...where, [this.ownerProperty]: scope.ownerId } as FindOptionsWhere<Entity>);
  }

  /** A query builder already restricted to the scope's owner; add conditions with `andWhere`. */
  query(scope: OwnerScope, alias: string): SelectQueryBuilder<Entity> {
    const builder = this.repository.createQueryBuilder(alias);
    return scope.ownerId === null
      ? builder.where('TRUE')
      : builder.where(`${alias}.${this.ownerProperty} = :ownerId`, { ownerId: scope.ownerId });
  }

  async findOne(scope: OwnerScope, id: string): Promise<Entity> {
    const entity = await this.repository.findOneBy(this.scoped(scope, { id } as FindOptionsWhere<Entity>));
    if (!entity) throw this.notFound();
    return entity;
  }

  async update(scope: OwnerScope, id: string, changes: QueryDeepPartialEntity<Entity>): Promise<Entity> {
    const { affected } = await this.repository.update(
      this.scoped(scope, { id } as FindOptionsWhere<Entity>),
      changes,
    );
    if (!affected) throw this.notFound();
    return this.findOne(scope, id);
  }

  async delete(scope: OwnerScope, id: string): Promise<void> {
    const { affected } = await this.repository.delete(this.scoped(scope, { id } as FindOptionsWhere<Entity>));
    if (!affected) throw this.notFound();
  }

  /** Deletes every object of the scope's owner; returns how many. Refuses an all-owners scope. */
  async deleteAllOf(scope: OwnerScope): Promise<number> {
    if (scope.ownerId === null) throw new Error('deleteAllOf needs a single-owner scope');
    const { affected } = await this.repository.delete(this.scoped(scope));
    return affected ?? 0;
  }

  private notFound(): AppException {
    return new AppException(ErrorCode.NotFound, this.notFoundMessage);
  }
}
