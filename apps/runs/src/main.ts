import 'reflect-metadata';
import {
  createServiceApp,
  exposeOpenApiDocument,
  loadConfig,
  runService,
  serviceAppOptionsFrom,
} from '@runnerly/security';
import { RunsConfig } from './runs.config';
import { RunsModule } from './runs.module';

runService(async () => {
  const config = loadConfig(RunsConfig);
  // Internal service: it keeps the gateway's request id, and no browser calls it (no CORS).
  const app = await createServiceApp(
    RunsModule.forRoot(config),
    serviceAppOptionsFrom(config, { trustIncomingRequestId: true }),
  );
  exposeOpenApiDocument(app, { title: 'Runnerly runs service', enabled: config.NODE_ENV !== 'production' });
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
});
