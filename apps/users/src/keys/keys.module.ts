import { Global, Module } from '@nestjs/common';
import { SigningKeyRing, TokenIssuer } from '@runnerly/security';
import { UsersConfig } from '../users.config';
import { JwksController } from './jwks.controller';
import { loadSigningKeys } from './signing-keys';

/** The signing keys, the TokenIssuer that uses them, and the JWKS that publishes them. */
@Global()
@Module({
  controllers: [JwksController],
  providers: [
    { provide: SigningKeyRing, useFactory: loadSigningKeys, inject: [UsersConfig] },
    {
      provide: TokenIssuer,
      inject: [SigningKeyRing, UsersConfig],
      useFactory: (keys: SigningKeyRing, config: UsersConfig) =>
        new TokenIssuer(keys, {
          issuer: config.JWT_ISSUER,
          accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
          adminAccessTokenTtlSeconds: config.ADMIN_ACCESS_TOKEN_TTL_SECONDS,
          serviceTokenTtlSeconds: 300,
        }),
    },
  ],
  exports: [SigningKeyRing, TokenIssuer],
})
export class KeysModule {}
