import { Module } from '@nestjs/common';
import { RunsFeatureModule } from '../runs/runs-feature.module';
import { RunPurgeController } from './run-purge.controller';
import { RunPurge } from './run-purge.service';

@Module({
  imports: [RunsFeatureModule],
  controllers: [RunPurgeController],
  providers: [RunPurge],
})
export class PurgeModule {}
