import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type LevelWithSilent } from 'pino';
import { BaseServiceConfig, serviceAppOptionsFrom } from '../config/base-service.config';
import { loadConfig } from '../config/load-config';
import { createServiceApp, type ServiceAppOptions } from '../http/create-service-app';
import { HttpSecurityModule } from '../http/http-security.module';
import { LoggingModule } from '../logging/logging.module';
import { LogCapture } from './log-capture';

/**
 * createServiceApp's options for a service on the default configuration, derived the way services derive
 * theirs (serviceAppOptionsFrom): a test app gets exactly the production defaults, never a copy of them.
 */
export function defaultServiceAppOptions(): ServiceAppOptions {
  const config = loadConfig(BaseServiceConfig, { NODE_ENV: 'test' });
  return serviceAppOptionsFrom(config, { trustIncomingRequestId: false });
}

/**
 * Readies an assembled service (a service's own `create…App`, as its `main.ts` builds it) for
 * `app.inject(...)`, without listening. Close it in `afterAll`.
 */
export async function initTestApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * Starts a root module through createServiceApp (so every HTTP protection applies) with the default
 * options, or these overrides, ready for `app.inject(...)`. Close it in `afterAll`.
 */
export async function startTestApp(
  rootModule: Type | DynamicModule,
  options: Partial<ServiceAppOptions> = {},
): Promise<NestFastifyApplication> {
  return initTestApp(await createServiceApp(rootModule, { ...defaultServiceAppOptions(), ...options }));
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
