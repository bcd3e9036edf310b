import { Module } from '@nestjs/common';
import { RefreshTokenRotation } from './refresh-token-rotation.service';

@Module({
  providers: [RefreshTokenRotation],
  exports: [RefreshTokenRotation],
})
export class SessionsModule {}
