import { type NestFastifyApplication } from '@nestjs/platform-fastify';

/** Deeper than any body of ours (flat DTOs, a nested one a level or two), far below where recursion fails. */
export const MAX_JSON_DEPTH = 32;

/**
 * Fastify's own JSON parser (which refuses `__proto__` and `constructor.prototype` members) behind a
 * nesting check: a body nested deeper than MAX_JSON_DEPTH is refused with 400 before it is parsed.
 * Otherwise a few kilobytes of `[[[[…` overflow the stack of whatever walks the body recursively
 * (class-transformer in the validation pipe, JSON.stringify in the gateway's proxy): a 500.
 */
export function refuseDeepJson(app: NestFastifyApplication): void {
  app.getHttpAdapter().getInstance().removeContentTypeParser('application/json');
  parseAsJson(app, ['application/json']);
}

/**
 * Parses these content types as JSON, with the same protections (e.g. the CSP reports browsers post as
 * `application/csp-report`). `bodyLimit` lowers the app's limit for them.
 */
export function parseAsJson(
  app: NestFastifyApplication,
  contentTypes: string[],
  options: { bodyLimit?: number } = {},
): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(contentTypes, { parseAs: 'string', ...options }, (request, body, done) => {
    if (jsonNestingExceeds(body as string, MAX_JSON_DEPTH)) {
      done(Object.assign(new Error('JSON nested too deeply'), { statusCode: 400 }), undefined);
      return;
    }
    // The default parser is the callback form (it calls `done`); its type also admits the async form.
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- returns nothing at runtime
    parse(request, body as string, done);
  });
}

/** Whether JSON text opens more than `maxDepth` arrays or objects at once (brackets in strings ignored). */
export function jsonNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const character = text[i];
    if (inString) {
      if (character === '\\') i += 1;
      else if (character === '"') inString = false;
    } else if (character === '"') {
      inString = true;
    } else if (character === '[' || character === '{') {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (character === ']' || character === '}') {
      depth -= 1;
    }
  }
  return false;
}
