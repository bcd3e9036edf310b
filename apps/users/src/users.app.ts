import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { exposeOpenApiDocument, type ServiceOverrides } from '@runnerly/platform';
import { createServiceApp, serviceAppOptionsFrom } from '@runnerly/security';
import { type UsersConfig } from './users.config';
import { UsersModule } from './users.module';

/** The users service, assembled: main.ts and the tests both build it here, so they test what runs. */
export async function createUsersApp(
  config: UsersConfig,
  overrides: ServiceOverrides = {},
): Promise<NestFastifyApplication> {
  const app = await createServiceApp(
    UsersModule.forRoot(config, overrides),
    // Internal service: it keeps the gateway's request id, and no browser calls it (no CORS). OAuth 2.0
    // token requests come as forms.
    serviceAppOptionsFrom(config, { trustIncomingRequestId: true, formBodyRoutes: ['/oauth/token'] }),
  );
  exposeOpenApiDocument(app, { title: 'Runnerly users service', enabled: config.NODE_ENV !== 'production' });
  return app;
}
