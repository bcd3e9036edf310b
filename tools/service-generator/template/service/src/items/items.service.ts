import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OwnerScope, type UserPrincipal } from '@runnerly/security';
import { Repository } from 'typeorm';
import { type CreateItemDto } from './dto/create-item.dto';
import { ItemView } from './dto/item.view';
import { Item } from './item.entity';
import { OwnedItems } from './owned-items.repository';

/** A page is short: list endpoints never return an unbounded result. */
const LIST_LIMIT = 100;

/** Users reach only their own items, admins everyone's: every read goes through OwnedItems with a scope. */
@Injectable()
export class ItemsService {
  constructor(
    @InjectRepository(Item) private readonly repository: Repository<Item>,
    private readonly items: OwnedItems,
  ) {}

  /** The owner is the caller, always: there is no way to create an item for someone else. */
  async create(user: UserPrincipal, dto: CreateItemDto): Promise<ItemView> {
    const item = await this.repository.save(this.repository.create({ ownerId: user.id, title: dto.title }));
    return ItemView.of(item);
  }

  async list(user: UserPrincipal): Promise<ItemView[]> {
    const items = await this.items
      .query(OwnerScope.of(user), 'item')
      .orderBy('item.created_at', 'DESC')
      .addOrderBy('item.id', 'DESC')
      .take(LIST_LIMIT)
      .getMany();
    return items.map((item) => ItemView.of(item));
  }

  async get(user: UserPrincipal, id: string): Promise<ItemView> {
    return ItemView.of(await this.items.findOne(OwnerScope.of(user), id));
  }
}
