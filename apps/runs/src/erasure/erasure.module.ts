import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErasedAccount } from './erased-account.entity';
import { ErasedAccounts } from './erased-accounts.service';

@Module({
  imports: [TypeOrmModule.forFeature([ErasedAccount])],
  providers: [ErasedAccounts],
  exports: [ErasedAccounts],
})
export class ErasureModule {}
