import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { exposeOpenApiDocument, type ServiceOverrides } from '@runnerly/platform';
import { createServiceApp, serviceAppOptionsFrom } from '@runnerly/security';
import { type __Name__Config } from './__name__.config';
import { __Name__Module } from './__name__.module';

/** The __name__ service, assembled: main.ts and the tests both build it here, so they test what runs. */
export async function create__Name__App(
  config: __Name__Config,
  overrides: ServiceOverrides = {},
): Promise<NestFastifyApplication> {
  const app = await createServiceApp(
    __Name__Module.forRoot(config, overrides),
    // Internal service: it keeps the gateway's request id, and no browser calls it (no CORS).
    serviceAppOptionsFrom(config, { trustIncomingRequestId: true }),
  );
  exposeOpenApiDocument(app, {
    title: 'Runnerly __name__ service',
    enabled: config.NODE_ENV !== 'production',
  });
  return app;
}
