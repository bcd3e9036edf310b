import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErasureModule } from '../erasure/erasure.module';
import { OwnedRuns } from './owned-runs.repository';
import { Run } from './run.entity';
import { RunsController } from './runs.controller';
import { RunsService } from './runs.service';
import { WeeklyStatsController } from './weekly-stats.controller';
import { WeeklyStatsService } from './weekly-stats.service';

@Module({
  imports: [TypeOrmModule.forFeature([Run]), ErasureModule],
  controllers: [RunsController, WeeklyStatsController],
  providers: [OwnedRuns, RunsService, WeeklyStatsService],
  exports: [OwnedRuns],
})
export class RunsFeatureModule {}
