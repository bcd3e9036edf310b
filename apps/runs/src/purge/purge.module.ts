import { Module } from '@nestjs/common';
import { ErasureModule } from '../erasure/erasure.module';
import { RunsFeatureModule } from '../runs/runs-feature.module';
import { RunPurgeController } from './run-purge.controller';
import { RunPurge } from './run-purge.service';

@Module({
  imports: [RunsFeatureModule, ErasureModule],
  controllers: [RunPurgeController],
  providers: [RunPurge],
})
export class PurgeModule {}
