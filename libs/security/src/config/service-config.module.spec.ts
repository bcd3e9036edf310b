import { Controller, Get } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString } from 'class-validator';
import { Public } from '../auth/auth.decorators';
import { createTestApp, LogCapture } from '../testing';
import { BaseServiceConfig } from './base-service.config';
import { loadConfig } from './load-config';
import { Secret } from './secret.decorator';
import { ServiceConfigModule } from './service-config.module';

class ModuleConfig extends BaseServiceConfig {
  @Secret()
  @IsString()
  API_SECRET!: string;
}

@Controller('config')
class ConfigController {
  constructor(private readonly config: ModuleConfig) {}

  @Public()
  @Get('port')
  port(): { port: number } {
    return { port: this.config.PORT };
  }
}

describe('ServiceConfigModule', () => {
  const secret = 'x9q7-secret-that-must-not-be-logged';
  const logs = new LogCapture();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const config = loadConfig(ModuleConfig, { PORT: '4321', API_SECRET: secret });
    app = await createTestApp({
      logs,
      imports: [ServiceConfigModule.forRoot(ModuleConfig, config)],
      controllers: [ConfigController],
    });
  });
  afterAll(() => app.close());

  it('makes the validated config injectable by its schema class', async () => {
    expect((await app.inject({ method: 'GET', url: '/config/port' })).json()).toEqual({ port: 4321 });
  });

  it('logs a summary of the configuration at start, with secrets redacted', () => {
    const [line] = logs.withMessage('Configuration loaded');
    expect(line).toMatchObject({ config: { PORT: 4321, API_SECRET: '[REDACTED]' } });
    expect(logs.text).not.toContain(secret);
  });
});
