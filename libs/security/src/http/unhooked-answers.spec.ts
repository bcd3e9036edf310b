import { Controller, Get } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Public } from '../auth/auth.decorators';
import { createTestApp } from '../testing';
import { observeUnhookedAnswers } from './unhooked-answers';

@Public()
@Controller('notes')
class Routes {
  @Get(':id')
  get(): { ok: true } {
    return { ok: true };
  }
}

describe('observeUnhookedAnswers', () => {
  const observed: number[] = [];
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({ controllers: [Routes] });
    observeUnhookedAnswers(app.getHttpAdapter().getInstance(), (_request, reply) =>
      observed.push(reply.statusCode),
    );
  });
  afterAll(() => app.close());

  it('tells the observer of a malformed URL that Fastify answers before routing, without hooks', async () => {
    expect((await app.inject({ method: 'GET', url: '/notes/%E0%A4%A' })).statusCode).toBe(400);
    expect(observed).toEqual([400]);
  });

  it('is not told of a routed answer (the onResponse hook sees those)', async () => {
    observed.length = 0;
    expect((await app.inject({ method: 'GET', url: '/notes/1' })).statusCode).toBe(200);
    expect(observed).toEqual([]);
  });
});
