import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { EmailLinkDispatcher } from './email-link-dispatcher';
import { EmailLinkTokens } from './email-link-tokens';
import { EmailLinksController } from './email-links.controller';
import { EmailVerification } from './email-verification.service';
import { PasswordReset } from './password-reset.service';
import { SmtpMailer } from './smtp-mailer';

/** Email verification and password reset: the links, their tokens, and the mails that carry them. */
@Module({
  imports: [SessionsModule],
  controllers: [EmailLinksController],
  providers: [EmailLinkDispatcher, EmailLinkTokens, EmailVerification, PasswordReset, SmtpMailer],
  exports: [EmailVerification],
})
export class EmailLinksModule {}
