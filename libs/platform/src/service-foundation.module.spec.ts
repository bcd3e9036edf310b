import { Body, Controller, Get, Injectable, Module, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, MaxLength } from 'class-validator';
import { AuditEvent, AuthModule, BaseServiceConfig, loadConfig, Roles } from '@runnerly/security';
import {
  bearer,
  LogCapture,
  startTestApp,
  TEST_ISSUER,
  TestKeys,
  TestTokens,
} from '@runnerly/security/testing';
import { ServiceFoundationModule } from './service-foundation.module';

class NoteDto {
  @IsString()
  @MaxLength(10)
  text!: string;
}

@Roles('user', 'admin')
@Controller('notes')
class NotesController {
  @Get()
  list(): [] {
    return [];
  }

  @Post()
  add(@Body() note: NoteDto): NoteDto {
    return note;
  }
}

@Module({ controllers: [NotesController] })
class NotesFeature {}

/** A readiness check of the service's own, which a test can fail. */
@Injectable()
class NotesStoreReadiness {
  static ready = true;
  readonly name = 'notes-store';
  isReady(): Promise<boolean> {
    return Promise.resolve(NotesStoreReadiness.ready);
  }
}

/** A service made of the foundation alone, as a root module would import it. */
describe('ServiceFoundationModule', () => {
  const keys = TestKeys.generate();
  const tokens = new TestTokens(keys);
  const logs = new LogCapture();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const config = loadConfig(BaseServiceConfig, { RATE_LIMIT_GENERAL_LIMIT: '3', LOG_LEVEL: 'info' });
    @Module({
      imports: [
        ServiceFoundationModule.forRoot({
          service: 'notes',
          schema: BaseServiceConfig,
          config,
          authentication: AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: keys.ring }),
          features: [NotesFeature],
          readiness: { checks: [NotesStoreReadiness] },
          logDestination: logs,
        }),
      ],
    })
    class NotesModule {}
    app = await startTestApp(NotesModule);
  });
  afterAll(() => app.close());

  it('counts requests that fail authentication against the rate limit (the limit runs first)', async () => {
    const anonymous = () => app.inject({ method: 'GET', url: '/notes', remoteAddress: '192.0.2.10' });
    expect([
      (await anonymous()).statusCode,
      (await anonymous()).statusCode,
      (await anonymous()).statusCode,
    ]).toEqual([401, 401, 401]);
    const fourth = await anonymous();
    expect(fourth.statusCode).toBe(429);
    expect(logs.auditEvents(AuditEvent.RateLimited)).toHaveLength(1);
  });

  it('validates bodies and answers in the common error shape', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/notes',
      headers: bearer(tokens.user()),
      payload: { text: 'far too long for a note', extra: true },
      remoteAddress: '192.0.2.11',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION.FAILED', requestId: expect.any(String) });
    expect(
      response
        .json<{ fields: { field: string }[] }>()
        .fields.map((problem) => problem.field)
        .sort(),
    ).toEqual(['extra', 'text']);
  });

  it("logs the service's name on every line, and its configuration once, with secrets redacted", () => {
    expect(logs.lines.every((line) => line.service === 'notes')).toBe(true);
    expect(logs.withMessage('Configuration loaded')).toHaveLength(1);
  });

  it("serves liveness, and readiness that waits for the service's own checks too", async () => {
    const probe = (url: string) =>
      app.inject({ method: 'GET', url, remoteAddress: '192.0.2.12' }).then((r) => [r.statusCode, r.json()]);
    expect(await probe('/health/live')).toEqual([200, { status: 'ok' }]);
    expect(await probe('/health/ready')).toEqual([200, { status: 'ok' }]);

    NotesStoreReadiness.ready = false;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the readiness cache
    expect(await probe('/health/ready')).toEqual([503, { status: 'unavailable' }]);
    NotesStoreReadiness.ready = true;
  });
});
