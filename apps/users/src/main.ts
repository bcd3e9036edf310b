import 'reflect-metadata';
import {
  createServiceApp,
  exposeOpenApiDocument,
  loadConfig,
  runService,
  serviceAppOptionsFrom,
} from '@runnerly/security';
import { UsersConfig } from './users.config';
import { UsersModule } from './users.module';

runService(async () => {
  const config = loadConfig(UsersConfig);
  const app = await createServiceApp(
    UsersModule.forRoot(config),
    serviceAppOptionsFrom(config, { trustIncomingRequestId: true, acceptFormBodies: true }),
  );
  exposeOpenApiDocument(app, { title: 'Runnerly users service', enabled: config.NODE_ENV !== 'production' });
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
});
