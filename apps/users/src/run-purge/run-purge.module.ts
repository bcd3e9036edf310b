import { Module } from '@nestjs/common';
import { OAuthModule } from '../oauth/oauth.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AccountDeletion } from './account-deletion.service';
import { RunPurgeDispatcher } from './run-purge.dispatcher';
import { RunsClient } from './runs.client';

@Module({
  imports: [OAuthModule, SessionsModule],
  providers: [AccountDeletion, RunPurgeDispatcher, RunsClient],
  exports: [AccountDeletion, RunPurgeDispatcher],
})
export class RunPurgeModule {}
