import { Body, Controller, Get, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Public } from '../auth/auth.decorators';
import { createTestApp, LogCapture, RawHttpClient } from '../testing';

let slowRouteMs = 0;
@Public()
@Controller('slow')
class SlowController {
  @Get()
  async slow(): Promise<{ done: boolean }> {
    await sleep(slowRouteMs, undefined, { ref: false });
    return { done: true };
  }

  @Post()
  write(@Body() body: unknown): unknown {
    return body;
  }
}

/** Stands in for the platform's health module: an always-ready readiness route the shutdown must fail. */
@Public()
@Controller('health')
class ReadinessController {
  @Get('ready')
  ready(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

const DRAIN_DELAY_MS = 300;
const TIMEOUT_MS = 1_000;

// In this process: SIGTERM is emitted to the process's listeners and process.exit is a spy. The same
// shutdown on a real process and a real signal: apps/stack-e2e/e2e/graceful-shutdown.e2e-spec.ts.
describe('graceful shutdown', () => {
  const logs = new LogCapture();
  let app: NestFastifyApplication;
  let port: number;
  let exit: jest.SpyInstance;
  const messages = () => logs.lines.map((line) => line.msg);
  const exited = async (): Promise<unknown> => {
    while (exit.mock.calls.length === 0) await sleep(10);
    return exit.mock.calls[0]?.[0];
  };
  const get = async (path: string) => {
    const client = await RawHttpClient.connect(port);
    void client.send([`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`]);
    while (client.response.status === 0 || !client.response.body) await sleep(5);
    client.close();
    return client.response;
  };

  /** One request on `agent`'s kept-alive connection: its status and headers, or the error's code. */
  const getWith = (agent: Agent, path: string) =>
    new Promise<{ status: number; headers: Record<string, unknown> } | { error: string }>((resolve) => {
      httpRequest(`http://127.0.0.1:${port}${path}`, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers }));
      })
        .on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }))
        .end();
    });
  const start = async (drainDelayMs: number) => {
    app = await createTestApp({
      logs,
      controllers: [SlowController, ReadinessController],
      shutdown: { drainDelayMs, timeoutMs: TIMEOUT_MS },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(await app.getUrl()).port);
  };

  beforeEach(async () => {
    slowRouteMs = 0;
    logs.clear();
    exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    await start(DRAIN_DELAY_MS);
  });

  afterEach(async () => {
    await app.close().catch(() => undefined);
    exit.mockRestore();
  });

  it('fails readiness at once, serves other requests with Connection: close and the draining mark through the drain delay, then exits 0', async () => {
    expect((await get('/health/ready')).status).toBe(200);
    process.emit('SIGTERM', 'SIGTERM');

    expect(await get('/health/ready')).toMatchObject({ status: 503, body: '{"status":"unavailable"}' });
    expect(await get('/slow')).toMatchObject({
      status: 200,
      headers: expect.objectContaining({ connection: 'close', 'x-instance-draining': '1' }),
    });
    expect(exit).not.toHaveBeenCalled();

    expect(await exited()).toBe(0);
    expect(messages()).toEqual(
      expect.arrayContaining([
        'Shutting down: readiness fails now, requests are served while balancers notice',
        'Stopped',
      ]),
    );
  });

  it('answers a request still arriving once the listener is closed with 503 SERVICE.UNAVAILABLE, Retry-After, and the mark that it never ran', async () => {
    process.emit('SIGTERM', 'SIGTERM');
    const client = await RawHttpClient.connect(port);
    void client.send(['GET /slow HTTP/1.1\r\nHost: x\r\n']);
    await sleep(DRAIN_DELAY_MS + 100);
    void client.send(['\r\n']);

    const refusal = await client.closed;
    expect(refusal).toMatchObject({
      status: 503,
      headers: expect.objectContaining({
        'retry-after': '1',
        connection: 'close',
        'x-instance-stopping': '1',
      }),
    });
    expect(JSON.parse(refusal.body)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SERVICE.UNAVAILABLE',
      message: 'The service is shutting down. Retry shortly.',
      requestId: refusal.headers['x-request-id'],
    });
    expect(await exited()).toBe(0);
  });

  it('refuses a write arriving once the listener is closed only after reading its whole body: closing a socket with unread bytes would reset it, and the reset would destroy the 503 the proxy needs to retry', async () => {
    process.emit('SIGTERM', 'SIGTERM');
    const client = await RawHttpClient.connect(port);
    await sleep(DRAIN_DELAY_MS + 100);
    const body = '{"title":"Tempo run"}';
    void client.send([
      `POST /slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    ]);
    await sleep(100);
    expect(client.response.status).toBe(0);

    void client.send([body]);
    expect(await client.closed).toMatchObject({
      status: 503,
      headers: expect.objectContaining({ 'x-instance-stopping': '1', connection: 'close' }),
    });
    expect(await exited()).toBe(0);
  });

  it('keeps an idle keep-alive connection open once the listener is closed: a request sent on it gets the retryable 503, never a reset', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await getWith(agent, '/slow')).toMatchObject({ status: 200 });
    process.emit('SIGTERM', 'SIGTERM');
    await sleep(DRAIN_DELAY_MS + 100);

    // The connection went idle before the drain, so it is still open, and the agent sends on it.
    expect(await getWith(agent, '/slow')).toMatchObject({
      status: 503,
      headers: expect.objectContaining({ 'x-instance-stopping': '1', connection: 'close' }),
    });
    expect(await exited()).toBe(0);
    agent.destroy();
  });

  it('without a drain delay (nothing balances, nothing to retry on), closes idle connections at once and exits without waiting for them', async () => {
    await app.close();
    await start(0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await getWith(agent, '/slow')).toMatchObject({ status: 200 });
    const signalledAt = Date.now();
    process.emit('SIGTERM', 'SIGTERM');

    expect(await exited()).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(TIMEOUT_MS / 2);
    agent.destroy();
  });

  it('cuts a request still running after the timeout, and exits 1', async () => {
    slowRouteMs = 60_000;
    const client = await RawHttpClient.connect(port);
    void client.send(['GET /slow HTTP/1.1\r\nHost: x\r\n\r\n']);
    await sleep(50);
    process.emit('SIGTERM', 'SIGTERM');

    expect(await exited()).toBe(1);
    expect((await client.closed).status).toBe(0);
    expect(messages()).toContain('Shutdown timeout: cutting the requests still running');
  });

  it('shuts down once for a repeated signal (a Ctrl-C after a SIGTERM)', async () => {
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');

    expect(await exited()).toBe(0);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('leaves no signal listener behind when the application is closed another way', async () => {
    const listening = process.listenerCount('SIGTERM');
    await app.close();
    expect(process.listenerCount('SIGTERM')).toBe(listening - 1);
  });
});
