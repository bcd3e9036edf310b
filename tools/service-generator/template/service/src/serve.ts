import 'reflect-metadata';
import { loadConfig, runService } from '@runnerly/security';
import { create__Name__App } from './__name__.app';
import { __Name__Config } from './__name__.config';

runService(async () => {
  const config = loadConfig(__Name__Config);
  const app = await create__Name__App(config);
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
});
