import 'reflect-metadata';
import { loadConfig, runService } from '@runnerly/security';
import { createRunsApp } from './runs.app';
import { RunsConfig } from './runs.config';

runService(async () => {
  const config = loadConfig(RunsConfig);
  const app = await createRunsApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
});
