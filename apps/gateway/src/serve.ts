import 'reflect-metadata';
import { loadConfig, runService } from '@runnerly/security';
import { createGateway } from './gateway.app';
import { GatewayConfig } from './gateway.config';

runService(async () => {
  const config = loadConfig(GatewayConfig);
  const app = await createGateway(config);
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
});
