import { Module } from '@nestjs/common';
import { OAuthController } from './oauth.controller';
import { TokenDealer } from './token-dealer.service';

@Module({
  controllers: [OAuthController],
  providers: [TokenDealer],
  exports: [TokenDealer],
})
export class OAuthModule {}
