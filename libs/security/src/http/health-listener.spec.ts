import { createServer, request, type Server } from 'node:http';
import { Controller, Get, Module } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Public } from '../auth/auth.decorators';
import { LoggingModule } from '../logging/logging.module';
import { createTestApp, defaultServiceAppOptions } from '../testing/test-app';
import { createServiceApp } from './create-service-app';
import { HttpSecurityModule } from './http-security.module';

@Controller('health')
class HealthController {
  @Public()
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  ready() {
    return { status: 'ready' };
  }
}

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('the health probes listener (HEALTH_PORT)', () => {
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    app = await createTestApp({ controllers: [HealthController], healthPort: port, logLevel: 'silent' });
  });
  afterAll(() => app?.close());

  it('answers GET /health/live and /health/ready through the application', async () => {
    expect(await get(port, '/health/live')).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect(await get(port, '/health/ready')).toEqual({ status: 200, body: '{"status":"ready"}' });
  });

  it('answers 404 to any other path or method', async () => {
    expect((await get(port, '/health')).status).toBe(404);
    expect((await get(port, '/health/ready?verbose=1')).status).toBe(404);
    expect((await get(port, '/health/live', 'POST')).status).toBe(404);
  });

  it('closes with the application', async () => {
    const closingPort = await freePort();
    const closing = await createTestApp({ controllers: [HealthController], healthPort: closingPort });
    expect((await get(closingPort, '/health/live')).status).toBe(200);
    await closing.close();
    await expect(get(closingPort, '/health/live')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('the health probes listener before the application is ready', () => {
  it('answers 503 "starting"', async () => {
    @Module({
      imports: [LoggingModule.forRoot({ service: 'test', level: 'silent' }), HttpSecurityModule],
      controllers: [HealthController],
    })
    class NotYetReady {}
    const port = await freePort();
    const app = await createServiceApp(NotYetReady, { ...defaultServiceAppOptions(), healthPort: port });
    try {
      expect(await get(port, '/health/ready')).toEqual({ status: 503, body: '{"status":"starting"}' });
    } finally {
      await app.close();
    }
  });

  it('stops the boot when its port is taken', async () => {
    const taken: Server = await new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
    @Module({ imports: [LoggingModule.forRoot({ service: 'test', level: 'silent' }), HttpSecurityModule] })
    class Blocked {}
    const { port } = taken.address() as { port: number };
    try {
      await expect(
        createServiceApp(Blocked, { ...defaultServiceAppOptions(), healthPort: port }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});
