import { ApiProperty } from '@nestjs/swagger';
import { type Item } from '../item.entity';

/** What clients see of an item: built field by field, so a column added later cannot leak (OWASP API3). */
export class ItemView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  static of(item: Item): ItemView {
    return { id: item.id, title: item.title, createdAt: item.createdAt.toISOString() };
  }
}
