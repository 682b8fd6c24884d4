import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { APP_VERSION } from '../common/version';

/** Swagger UI at /docs and the OpenAPI document at /openapi.json (ReDoc at /redoc reads it). */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Captions API v14')
      .setDescription(
        'Instagram captions on a shared-resources layer: pools, cache, models, health.',
      )
      .setVersion(APP_VERSION)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'admin-key')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    // No validator badge: it would send the document's address to validator.swagger.io, and
    // the page's CSP loads nothing from another host.
    swaggerOptions: { validatorUrl: null },
  });
}
