import { answeredErrorCode, observeUnhookedAnswers } from '@runnerly/security';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { routeLabelOf } from './metric-labels';
import { type ServiceMetrics } from './service-metrics';

/**
 * Counts and times every answer Fastify sends, whoever routed it (Nest's controllers, a plugin, the 404
 * handler), by the route template it matched; an error answer in the common shape is also counted by its
 * code (sendError marks it). Added before any route exists, so that every route gets the hook.
 */
export function observeHttpRequests(fastify: FastifyInstance, metrics: ServiceMetrics): void {
  const observe = (request: FastifyRequest, reply: FastifyReply) => {
    const route = routeLabelOf(request.routeOptions.url);
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    const code = answeredErrorCode(reply);
    if (code) metrics.observeErrorResponse(route, code);
  };
  fastify.addHook('onResponse', async (request, reply) => observe(request, reply));
  // A malformed URL is answered before routing, with no hook run (see observeUnhookedAnswers).
  observeUnhookedAnswers(fastify, observe);
}
