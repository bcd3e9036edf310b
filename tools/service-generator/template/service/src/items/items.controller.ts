import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type UserPrincipal, uuidParam } from '@runnerly/security';
import { CreateItemDto } from './dto/create-item.dto';
import { ItemView } from './dto/item.view';
import { ItemsService } from './items.service';

/** A user's items. Who may see which item is decided by ItemsService's owner scopes, not here. */
@ApiTags('__name__')
@ApiBearerAuth()
@Roles('user', 'admin')
@Controller('__name__/items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @Get()
  list(@CurrentUser() user: UserPrincipal): Promise<ItemView[]> {
    return this.items.list(user);
  }

  @Post()
  create(@CurrentUser() user: UserPrincipal, @Body() dto: CreateItemDto): Promise<ItemView> {
    return this.items.create(user, dto);
  }

  @Get(':id')
  get(@CurrentUser() user: UserPrincipal, @Param('id', uuidParam()) id: string): Promise<ItemView> {
    return this.items.get(user, id);
  }
}
