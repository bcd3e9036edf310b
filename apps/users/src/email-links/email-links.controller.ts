import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CredentialsEndpoint, Public } from '@runnerly/security';
import { type FastifyRequest } from 'fastify';
import {
  CompletePasswordResetDto,
  EmailLinkRequestAccepted,
  EmailLinkRequestDto,
  EmailLinkTokenDto,
} from './dto/email-links.dto';
import { EmailVerification } from './email-verification.service';
import { PasswordReset } from './password-reset.service';

/**
 * The routes behind the links Runnerly mails. Asking for a link answers 202 whatever the address; using one
 * needs no login (its token is the proof). All are credential routes: the strict per-client limit applies.
 */
@ApiTags('auth')
@Public()
@CredentialsEndpoint()
@Controller('auth')
export class EmailLinksController {
  constructor(
    private readonly passwordReset: PasswordReset,
    private readonly verification: EmailVerification,
  ) {}

  @ApiOperation({ summary: 'Mail a password-reset link to this address, if an account has it' })
  @HttpCode(HttpStatus.ACCEPTED)
  @Post('password-reset')
  async requestPasswordReset(
    @Body() dto: EmailLinkRequestDto,
    @Req() request: FastifyRequest,
  ): Promise<EmailLinkRequestAccepted> {
    await this.passwordReset.request(dto.email, String(request.id));
    return { accepted: true };
  }

  @ApiOperation({
    summary: "Set a new password with a reset link's token; every session of the account ends",
  })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Post('password-reset/complete')
  completePasswordReset(@Body() dto: CompletePasswordResetDto): Promise<void> {
    return this.passwordReset.complete(dto.token, dto.password);
  }

  @ApiOperation({ summary: 'Mail a new verification link to this address, if an unverified account has it' })
  @HttpCode(HttpStatus.ACCEPTED)
  @Post('email-verification')
  async requestVerification(
    @Body() dto: EmailLinkRequestDto,
    @Req() request: FastifyRequest,
  ): Promise<EmailLinkRequestAccepted> {
    await this.verification.request(dto.email, String(request.id));
    return { accepted: true };
  }

  @ApiOperation({ summary: "Confirm the account's email address with a verification link's token" })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Post('email-verification/complete')
  completeVerification(@Body() dto: EmailLinkTokenDto): Promise<void> {
    return this.verification.complete(dto.token);
  }
}
