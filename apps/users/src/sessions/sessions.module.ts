import { Module } from '@nestjs/common';
import { AccountSessionsController } from './account-sessions.controller';
import { AccountSessions } from './account-sessions.service';
import { RefreshTokenRotation } from './refresh-token-rotation.service';

@Module({
  controllers: [AccountSessionsController],
  providers: [RefreshTokenRotation, AccountSessions],
  exports: [RefreshTokenRotation],
})
export class SessionsModule {}
