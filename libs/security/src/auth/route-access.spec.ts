import { Controller, Delete, Get, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, TEST_ISSUER, TestKeys } from '../testing';
import { Public, Roles, Scopes } from './auth.decorators';
import { AuthModule } from './auth.module';
import { RouteAccessAudit } from './route-access';

@Roles('user', 'admin')
@Controller('api/things')
class DeclaredRoutes {
  @Get()
  list(): [] {
    return [];
  }

  @Roles('admin')
  @Delete(':id')
  remove(): void {}

  @Public()
  @Get('catalogue')
  catalogue(): [] {
    return [];
  }
}

@Controller('internal')
class ServiceRoutes {
  @Scopes('things:sync')
  @Post('sync')
  sync(): void {}
}

@Controller('forgotten')
class ForgottenRoutes {
  @Get()
  open(): { oops: true } {
    return { oops: true };
  }

  @Roles('admin')
  @Get('admin')
  admin(): void {}
}

const auth = () => AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: TestKeys.generate().ring });

describe('RouteAccessAudit', () => {
  let app: NestFastifyApplication;
  afterEach(() => app?.close());

  it('lists every route with the access it declares', async () => {
    app = await createTestApp({ imports: [auth()], controllers: [DeclaredRoutes, ServiceRoutes] });
    expect(app.get(RouteAccessAudit).table()).toEqual([
      { method: 'GET', path: '/api/things', access: 'roles: user admin' },
      { method: 'DELETE', path: '/api/things/:id', access: 'roles: admin' },
      { method: 'GET', path: '/api/things/catalogue', access: 'public' },
      { method: 'POST', path: '/internal/sync', access: 'scopes: things:sync' },
    ]);
  });

  it('refuses to start an application with a route that declares no access, naming it', async () => {
    await expect(createTestApp({ imports: [auth()], controllers: [ForgottenRoutes] })).rejects.toThrow(
      'These routes declare no access (@Public(), @Roles(...) or @Scopes(...)): GET /forgotten',
    );
  });
});
