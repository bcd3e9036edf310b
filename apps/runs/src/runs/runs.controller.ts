import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type UserPrincipal, uuidParam } from '@runnerly/security';
import { CreateRunDto } from './dto/create-run.dto';
import { ListRunsQuery } from './dto/list-runs.query';
import { RunPage, RunView } from './dto/run.view';
import { UpdateRunDto } from './dto/update-run.dto';
import { RunsService } from './runs.service';

/** A runner's runs. Who may see which run is decided by RunsService's owner scopes, not here. */
@ApiTags('runs')
@ApiBearerAuth()
@Roles('user', 'admin')
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get()
  list(@CurrentUser() user: UserPrincipal, @Query() query: ListRunsQuery): Promise<RunPage> {
    return this.runs.list(user, query);
  }

  @Post()
  create(@CurrentUser() user: UserPrincipal, @Body() dto: CreateRunDto): Promise<RunView> {
    return this.runs.create(user, dto);
  }

  @Get(':id')
  get(@CurrentUser() user: UserPrincipal, @Param('id', uuidParam()) id: string): Promise<RunView> {
    return this.runs.get(user, id);
  }

  @Patch(':id')
  update(
    @CurrentUser() user: UserPrincipal,
    @Param('id', uuidParam()) id: string,
    @Body() dto: UpdateRunDto,
  ): Promise<RunView> {
    return this.runs.update(user, id, dto);
  }

  @HttpCode(HttpStatus.NO_CONTENT)
  @Delete(':id')
  delete(@CurrentUser() user: UserPrincipal, @Param('id', uuidParam()) id: string): Promise<void> {
    return this.runs.delete(user, id);
  }
}
