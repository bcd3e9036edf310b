import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { exposeOpenApiDocument, type ServiceOverrides } from '@runnerly/platform';
import { createServiceApp, serviceAppOptionsFrom } from '@runnerly/security';
import { type RunsConfig } from './runs.config';
import { RunsModule } from './runs.module';

/** The runs service, assembled: main.ts and the tests both build it here, so they test what runs. */
export async function createRunsApp(
  config: RunsConfig,
  overrides: ServiceOverrides = {},
): Promise<NestFastifyApplication> {
  const app = await createServiceApp(
    RunsModule.forRoot(config, overrides),
    // Internal service: it keeps the gateway's request id, and no browser calls it (no CORS).
    serviceAppOptionsFrom(config, { trustIncomingRequestId: true }),
  );
  exposeOpenApiDocument(app, { title: 'Runnerly runs service', enabled: config.NODE_ENV !== 'production' });
  return app;
}
