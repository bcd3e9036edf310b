import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/** Told of an answer Fastify sent without running its hooks. */
export type UnhookedAnswerObserver = (request: FastifyRequest, reply: FastifyReply) => void;

const OBSERVERS = new WeakMap<FastifyInstance, UnhookedAnswerObserver[]>();

/**
 * Fastify answers a malformed URL (frameworkErrors) before routing, and runs no hook for it, not even
 * onResponse: whoever counts answers in a hook (the platform's metrics) registers here to see those too.
 */
export function observeUnhookedAnswers(fastify: FastifyInstance, observer: UnhookedAnswerObserver): void {
  OBSERVERS.set(fastify, [...(OBSERVERS.get(fastify) ?? []), observer]);
}

/** Called by whoever sent such an answer (createServiceApp's frameworkErrors). */
export function unhookedAnswerSent(request: FastifyRequest, reply: FastifyReply): void {
  for (const observer of OBSERVERS.get(request.server) ?? []) observer(request, reply);
}
