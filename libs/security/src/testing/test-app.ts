import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type LevelWithSilent } from 'pino';
import { DEFAULT_CONNECTION_LIMITS } from '../http/connection-limits';
import { createServiceApp, type ServiceAppOptions } from '../http/create-service-app';
import { HttpSecurityModule } from '../http/http-security.module';
import { LoggingModule } from '../logging/logging.module';
import { LogCapture } from './log-capture';

/** The production defaults of createServiceApp's options, for tests that change only one of them. */
export const TEST_APP_OPTIONS: ServiceAppOptions = {
  bodyLimitBytes: 16 * 1024,
  trustProxyHops: 0,
  trustIncomingRequestId: false,
  corsOrigins: [],
  connectionLimits: DEFAULT_CONNECTION_LIMITS,
};

/**
 * Starts a service's root module the way its `main.ts` does (createServiceApp, so every HTTP protection
 * applies), ready for `app.inject(...)`. Close it in `afterAll`.
 */
export async function startTestApp(
  rootModule: Type | DynamicModule,
  options: Partial<ServiceAppOptions> = {},
): Promise<NestFastifyApplication> {
  const app = await createServiceApp(rootModule, { ...TEST_APP_OPTIONS, ...options });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export interface TestAppOptions
  extends Partial<ServiceAppOptions>, Pick<ModuleMetadata, 'imports' | 'controllers' | 'providers'> {
  /** Receives the app's log lines. */
  logs?: LogCapture;
  logLevel?: LevelWithSilent;
}

/**
 * A tiny service for a test: LoggingModule (into `logs`) and HttpSecurityModule, plus the given modules,
 * controllers and providers, started through startTestApp.
 *
 * nestjs-pino keeps one root logger per process (per jest test file): the first app of a file fixes the
 * log destination and level, and the lines of later apps of that file go there too. Assert on the logs
 * of the first app of a file only, or give each such test its own file.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<NestFastifyApplication> {
  const {
    imports = [],
    controllers = [],
    providers = [],
    logs = new LogCapture(),
    logLevel = 'info',
    ...appOptions
  } = options;

  @Module({
    imports: [
      LoggingModule.forRoot({ service: 'test', level: logLevel, destination: logs }),
      HttpSecurityModule,
      ...imports,
    ],
    controllers,
    providers,
  })
  class TestAppModule {}

  return startTestApp(TestAppModule, appOptions);
}
