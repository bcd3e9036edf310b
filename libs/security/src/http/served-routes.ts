import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyInstance } from 'fastify';

/** One route as Fastify serves it. */
export interface ServedRoute {
  method: string;
  path: string;
}

const SERVED = new WeakMap<FastifyInstance, ServedRoute[]>();

/**
 * Records every route Fastify is asked to serve, whoever registers it: Nest's controllers, but also a
 * plugin or a `fastify.get(...)` that Nest's guards never see. Registered by createServiceApp before any
 * route exists, so the list is complete.
 */
export function recordServedRoutes(fastify: FastifyInstance): void {
  const routes: ServedRoute[] = [];
  SERVED.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, path: route.url });
  });
}

/** Every route the application serves (HEAD twins of GET routes left out). */
export function servedRoutes(app: NestFastifyApplication): ServedRoute[] {
  const routes = SERVED.get(app.getHttpAdapter().getInstance()) ?? [];
  return routes.filter((route) => route.method !== 'HEAD');
}
