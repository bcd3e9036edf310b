import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RunPurgeModule } from '../run-purge/run-purge.module';
import { SessionsModule } from '../sessions/sessions.module';
import { Account } from './account.entity';
import { AccountsService } from './accounts.service';
import { AdminUsersController } from './admin-users.controller';
import { FirstAdmin } from './first-admin';
import { MeController } from './me.controller';

@Module({
  imports: [TypeOrmModule.forFeature([Account]), SessionsModule, RunPurgeModule],
  controllers: [MeController, AdminUsersController],
  providers: [AccountsService, FirstAdmin],
  exports: [AccountsService],
})
export class AccountsModule {}
