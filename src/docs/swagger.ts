import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ERROR_BODY_SCHEMA_NAME, ErrorBodySchema } from '../common/api-route/error-body.schema';
import { documented } from '../common/api-route/api-route.decorator';
import { APP_VERSION } from '../common/version';

/** Every tag the operations use, with what it groups. */
const TAGS: Array<[name: string, description: string]> = [
  ['captions', 'Writing captions, and the stored ones'],
  ['batch', 'Many caption requests at once: synchronous batches and background jobs'],
  ['resources', 'The shared resources: pools, cache, models, storage, and their admin routes'],
  ['monitoring', 'Statistics, resource health, history, the self-test and Prometheus metrics'],
  ['health', 'Kubernetes probes: liveness, readiness, startup'],
];

/**
 * The OpenAPI document (3.1: the routes' schemas are JSON Schema, as ApiRoute declares them for
 * validation and serialization). Built once at start-up; test/openapi.e2e-spec.ts holds it to
 * swagger-parser's validation and Spectral's `spectral:oas` rules.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Captions API v14')
    .setDescription('Instagram captions on a shared-resources layer: pools, cache, models, health.')
    .setVersion(APP_VERSION)
    .addServer('/', 'this server (paths carry the /api/v14 prefix)')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'admin-key')
    .addBearerAuth();
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const config = builder.build();
  config.info.contact = { name: 'Captions API maintainers' };
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      [ERROR_BODY_SCHEMA_NAME]: documented(ErrorBodySchema),
    },
  };
  return document;
}

/** Swagger UI at /docs and the OpenAPI document at /openapi.json (ReDoc at /redoc reads it). */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    // No validator badge: it would send the document's address to validator.swagger.io, and
    // the page's CSP loads nothing from another host.
    swaggerOptions: { validatorUrl: null },
  });
}
