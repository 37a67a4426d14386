import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** HTTP concerns that need the application instance: the OpenAPI document at /api/docs and /api/docs-json. */
export function configureAuditApp(app: INestApplication): INestApplication {
  const config = new DocumentBuilder()
    .setTitle('audit-service')
    .setDescription(
      'Audit trail, replay and reconciliation of the ServiceTitan → Sage X3 connector. Authenticate with an admin or tenant API token (Bearer).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
