import { Module } from '@nestjs/common';
import { FieldEncryption } from '@runnerly/security';
import { AccountsModule } from '../accounts/accounts.module';
import { UsersConfig } from '../users.config';
import { loadFieldEncryption } from './data-encryption';
import { LoginChallenges } from './login-challenges';
import { SecondFactorController } from './second-factor.controller';
import { SecondFactor } from './second-factor.service';

/** TOTP two-factor authentication, its encrypted secrets and the login challenge between the two steps. */
@Module({
  imports: [AccountsModule],
  controllers: [SecondFactorController],
  providers: [
    { provide: FieldEncryption, useFactory: loadFieldEncryption, inject: [UsersConfig] },
    SecondFactor,
    LoginChallenges,
  ],
  exports: [SecondFactor, LoginChallenges, FieldEncryption],
})
export class MfaModule {}
