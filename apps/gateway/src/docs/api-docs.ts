import { Logger } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { OPENAPI_DOCUMENT_PATH, UPSTREAMS } from '@runnerly/platform';
import { internalFetch } from '@runnerly/security';
import { type GatewayConfig, instancesOf } from '../gateway.config';

/**
 * How a service's path appears publicly: under /api, except the well-known documents (the JWKS), which keep
 * their standard place. The gateway's own route table decides what is kept.
 */
const publicPath = (path: string) => (path.startsWith('/.well-known/') ? path : `/api${path}`);
const METHODS = ['get', 'post', 'patch', 'delete'] as const;

/**
 * Swagger UI of the whole public API at /docs (development only): the OpenAPI documents of every internal
 * service of the manifest, rewritten to their public paths and filtered down to the routes the gateway really serves,
 * so internal routes can never appear in the docs.
 */
export async function setupApiDocs(app: NestFastifyApplication, config: GatewayConfig): Promise<void> {
  const logger = new Logger('ApiDocs');
  const fastify = app.getHttpAdapter().getInstance();
  await app.init();
  const served = (method: string, path: string) =>
    fastify.hasRoute({ method: method.toUpperCase(), url: path.replace(/\{(\w+)\}/g, ':$1') });

  const document: OpenAPIObject = {
    openapi: '3.0.0',
    info: {
      title: 'Runnerly API',
      version: '1.0',
      description: 'The public API, through the gateway. Authenticate with POST /api/auth/login.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {},
    },
    paths: {},
  };
  const fetchInternal = internalFetch(config);
  for (const upstream of UPSTREAMS) {
    const url = instancesOf(config, upstream)[0]!;
    const part = await fetchDocument(
      new URL(OPENAPI_DOCUMENT_PATH.slice(1), url.endsWith('/') ? url : `${url}/`),
      fetchInternal,
    ).catch((error: Error) => {
      logger.warn(
        { upstream, error: error.message },
        'No OpenAPI document from this service; its routes are missing from /docs',
      );
      return undefined;
    });
    if (!part) continue;
    Object.assign(document.components!.schemas!, part.components?.schemas);
    for (const [path, operations] of Object.entries(part.paths)) {
      const kept = Object.fromEntries(
        METHODS.filter((method) => operations[method] && served(method, publicPath(path))).map((method) => [
          method,
          operations[method],
        ]),
      );
      if (Object.keys(kept).length > 0) document.paths[publicPath(path)] = kept;
    }
  }
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

async function fetchDocument(url: URL, fetch: typeof globalThis.fetch): Promise<OpenAPIObject> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  if (!response.ok) throw new Error(`answered ${response.status}`);
  return (await response.json()) as OpenAPIObject;
}
