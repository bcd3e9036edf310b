import { type DynamicModule, Module } from '@nestjs/common';
import { type ServiceOverrides, ServiceFoundationModule } from '@runnerly/platform';
import {
  adminSecondFactorRequired,
  AuthModule,
  CrossSiteRequestGuard,
  internalFetch,
  JwksKeyResolver,
  TRUSTED_BROWSER_ORIGIN,
} from '@runnerly/security';
import { GatewayConfig, publicOrigin } from './gateway.config';
import { UpstreamsReadiness } from './health/upstreams.readiness';
import { UpstreamProxy } from './proxy/upstream-proxy.service';
import { Upstreams } from './proxy/upstreams';
import { AuthRoutes } from './routes/auth.routes';
import { BrowserSessionRoutes } from './routes/browser-session.routes';
import { JwksRoutes } from './routes/jwks.routes';
import { OidcRoutes } from './routes/oidc.routes';
import { RunsRoutes } from './routes/runs.routes';
import { UsersRoutes } from './routes/users.routes';
import { WebClientModule } from './web/web-client.module';

/** The route table: every public route, explicitly. Anything else, internal routes included, is a 404. */
@Module({
  controllers: [AuthRoutes, BrowserSessionRoutes, OidcRoutes, UsersRoutes, RunsRoutes, JwksRoutes],
  providers: [
    Upstreams,
    UpstreamProxy,
    { provide: TRUSTED_BROWSER_ORIGIN, useFactory: publicOrigin, inject: [GatewayConfig] },
    CrossSiteRequestGuard,
  ],
  exports: [Upstreams],
})
class RoutesModule {}

/**
 * The gateway: the security modules in the same order as every service (rate limits before
 * authentication, so failed attempts count), then the route table and health.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, overrides: ServiceOverrides = {}): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ServiceFoundationModule.forRoot({
          service: 'gateway',
          schema: GatewayConfig,
          config,
          authentication: AuthModule.forRoot({
            issuer: config.JWT_ISSUER,
            keyResolver: new JwksKeyResolver({ url: config.JWKS_URL, fetch: internalFetch(config) }),
            adminSecondFactorRequired: adminSecondFactorRequired(config),
          }),
          features: [
            RoutesModule,
            ...(config.WEB_CLIENT_ROOT ? [WebClientModule.forRoot(config.WEB_CLIENT_ROOT)] : []),
          ],
          readiness: { checks: [UpstreamsReadiness], imports: [RoutesModule] },
          logDestination: overrides.logDestination,
        }),
      ],
    };
  }
}
