import { type ExecutionContext, type Type } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';

/**
 * The ExecutionContext Nest gives a guard for an HTTP request to `controller.handler`, so a guard can be
 * unit-tested against the metadata of real decorated methods: `httpContext(Routes, 'adminOnly', { user })`.
 */
export function httpContext<T extends object>(
  controller: Type<T>,
  handler: keyof T & string,
  request: object = {},
  reply: object = {},
): ExecutionContext {
  const method = controller.prototype[handler] as (...args: unknown[]) => unknown;
  const context = new ExecutionContextHost([request, reply, () => undefined], controller, method);
  context.setType('http');
  return context;
}
