import { Controller, Get, Module } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, LoggingModule, Public } from '@runnerly/security';
import { defaultServiceAppOptions, LogCapture } from '@runnerly/security/testing';
import { exposeOpenApiDocument } from './openapi-document';

@Controller('things')
class Things {
  @Public()
  @Get()
  list(): [] {
    return [];
  }
}

@Module({
  imports: [LoggingModule.forRoot({ service: 'test', level: 'silent', destination: new LogCapture() })],
  controllers: [Things],
})
class ThingsModule {}

describe('exposeOpenApiDocument', () => {
  const start = async (enabled: boolean): Promise<NestFastifyApplication> => {
    const app = await createServiceApp(ThingsModule, defaultServiceAppOptions());
    exposeOpenApiDocument(app, { title: 'Things', enabled });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  };

  it("serves the service's OpenAPI document at /openapi.json when enabled (development)", async () => {
    const app = await start(true);
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      info: { title: 'Things' },
      paths: { '/things': { get: expect.any(Object) } },
    });
    await app.close();
  });

  it('serves nothing there when disabled (production): 404', async () => {
    const app = await start(false);
    expect((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(404);
    await app.close();
  });
});
