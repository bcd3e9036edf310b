import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { EmailLinksModule } from '../email-links/email-links.module';
import { MfaModule } from '../mfa/mfa.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ReauthenticationController } from './reauthentication.controller';

/**
 * Register (which mails a verification link), login, refresh, logout and reauthentication (named apart from the library's AuthModule, which
 * verifies tokens).
 */
@Module({
  imports: [AccountsModule, SessionsModule, MfaModule, EmailLinksModule],
  controllers: [AuthController, ReauthenticationController],
  providers: [AuthService],
  exports: [AuthService],
})
export class AuthFeatureModule {}
