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

/** Routes under several paths at once: each path is a route whose access must be declared. */
@Roles('user')
@Controller(['v1/things', 'v2/things'])
class AliasedRoutes {
  @Get(['recent', 'latest'])
  recent(): [] {
    return [];
  }

  /** Not a route: no HTTP method, so not in the table. */
  helper(): void {}
}

@Public()
@Controller()
class RootRoute {
  @Get()
  root(): { ok: true } {
    return { ok: true };
  }
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

  it('lists a route once per path it is served under (an alias is a route too), the root as /, and no helper methods', async () => {
    app = await createTestApp({ imports: [auth()], controllers: [AliasedRoutes, RootRoute] });
    expect(app.get(RouteAccessAudit).table()).toEqual([
      { method: 'GET', path: '/', access: 'public' },
      { method: 'GET', path: '/v1/things/latest', access: 'roles: user' },
      { method: 'GET', path: '/v1/things/recent', access: 'roles: user' },
      { method: 'GET', path: '/v2/things/latest', access: 'roles: user' },
      { method: 'GET', path: '/v2/things/recent', access: 'roles: user' },
    ]);
  });

  it('refuses to start an application with a route that declares no access, naming it', async () => {
    await expect(createTestApp({ imports: [auth()], controllers: [ForgottenRoutes] })).rejects.toThrow(
      'These routes declare no access (@Public(), @Roles(...) or @Scopes(...)): GET /forgotten',
    );
  });
});
