import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RouteAccessAudit } from '../auth/route-access';
import { servedRoutes } from '../http/served-routes';

/**
 * The routes the application serves that are not Nest routes, so no guard of Runnerly's ever runs on
 * them (API docs, a CORS preflight handler): each must be there on purpose.
 */
export function routesOutsideNest(app: NestFastifyApplication): string[] {
  const guarded = new Set(
    app
      .get(RouteAccessAudit)
      .table()
      .map((route) => `${route.method} ${route.path}`),
  );
  return servedRoutes(app)
    .map((route) => `${route.method} ${route.path}`)
    .filter((route) => !guarded.has(route))
    .sort();
}
