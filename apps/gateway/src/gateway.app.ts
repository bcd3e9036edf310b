import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ServiceOverrides } from '@runnerly/platform';
import { createServiceApp, parseAsJson, serviceAppOptionsFrom } from '@runnerly/security';
import { setupApiDocs } from './docs/api-docs';
import { docsEnabled, type GatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { registerUpstreamProxy } from './proxy/register-upstream-proxy';
import { CSP_REPORT_TYPES } from './web/csp-reports.controller';

/** A CSP report is a few hundred bytes; a larger body is not one. */
const CSP_REPORT_BODY_LIMIT = 16 * 1024;

/** The gateway, assembled: main.ts and the tests both build it here, so they test what runs. */
export async function createGateway(
  config: GatewayConfig,
  overrides: ServiceOverrides = {},
): Promise<NestFastifyApplication> {
  const app = await createServiceApp(
    GatewayModule.forRoot(config, overrides),
    // The gateway makes its own request ids: a client must not choose the id its requests are logged under.
    serviceAppOptionsFrom(config, {
      trustIncomingRequestId: false,
      corsOrigins: config.CORS_ORIGINS,
      docsPathPrefix: '/docs',
    }),
  );
  await registerUpstreamProxy(app, config);
  if (config.WEB_CLIENT_ROOT) parseAsJson(app, CSP_REPORT_TYPES, { bodyLimit: CSP_REPORT_BODY_LIMIT });
  if (docsEnabled(config)) await setupApiDocs(app, config);
  return app;
}
