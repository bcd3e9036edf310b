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
  Res,
} from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { IDEMPOTENCY_REPLAYED_HEADER, IdempotencyKey, type KeyedRequest } from '@runnerly/database';
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

  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'A unique string per run to record (e.g. a UUID): a retry with it never records a second run.',
  })
  @Post()
  async create(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: CreateRunDto,
    @IdempotencyKey() keyed: KeyedRequest | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RunView> {
    const answer = await this.runs.create(user, dto, keyed);
    if (answer.replayed) void reply.header(IDEMPOTENCY_REPLAYED_HEADER, 'true');
    return answer.body;
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
