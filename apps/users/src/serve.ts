import 'reflect-metadata';
import { loadConfig, runService } from '@runnerly/security';
import { createUsersApp } from './users.app';
import { UsersConfig } from './users.config';

runService(async () => {
  const config = loadConfig(UsersConfig);
  const app = await createUsersApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
});
