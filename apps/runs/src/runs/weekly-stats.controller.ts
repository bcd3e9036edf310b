import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type UserPrincipal } from '@runnerly/security';
import { WeeklyStatsQuery } from './dto/weekly-stats.query';
import { WeeklyStatsView } from './dto/weekly-stats.view';
import { WeeklyStatsService } from './weekly-stats.service';

@ApiTags('runs')
@ApiBearerAuth()
@Roles('user', 'admin')
@Controller('runs/stats')
export class WeeklyStatsController {
  constructor(private readonly stats: WeeklyStatsService) {}

  @Get('weekly')
  weekly(@CurrentUser() user: UserPrincipal, @Query() query: WeeklyStatsQuery): Promise<WeeklyStatsView> {
    return this.stats.weekly(user, query);
  }
}
