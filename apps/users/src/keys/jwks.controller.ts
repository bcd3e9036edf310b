import { Controller, Get, Header } from '@nestjs/common';
import { type Jwks, Public, SigningKeyRing } from '@runnerly/security';

/**
 * Publishes the public keys that verify Runnerly tokens (RFC 7517), so every other service verifies
 * tokens without being able to mint them. Cacheable: verifiers fetch it again on an unknown `kid`.
 */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeyRing) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Jwks {
    return this.keys.jwks();
  }
}
