import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const OPENAPI_DOCUMENT_PATH = '/openapi.json';

/**
 * Serves the service's OpenAPI document at /openapi.json, for the gateway to merge into the public API
 * docs. Development only: in production the surface of a service is not advertised, and the gateway
 * never routes this path anyway.
 */
export function exposeOpenApiDocument(
  app: NestFastifyApplication,
  options: { title: string; enabled: boolean },
): void {
  if (!options.enabled) return;
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(options.title).addBearerAuth().build(),
  );
  app
    .getHttpAdapter()
    .getInstance()
    .get(OPENAPI_DOCUMENT_PATH, (_request, reply) => reply.send(document));
}
