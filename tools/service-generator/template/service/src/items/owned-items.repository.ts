import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OwnedRepository } from '@runnerly/security';
import { Repository } from 'typeorm';
import { Item } from './item.entity';

/**
 * The items table as every feature must read it: each query carries the owner condition of an OwnerScope,
 * and another user's item answers 404 exactly like a missing one (OWASP API1).
 */
@Injectable()
export class OwnedItems extends OwnedRepository<Item> {
  constructor(@InjectRepository(Item) repository: Repository<Item>) {
    super(repository, 'ownerId', 'Item not found.');
  }
}
