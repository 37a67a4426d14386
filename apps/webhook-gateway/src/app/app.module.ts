import { connectorAppImports } from '@connector/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { ServiceTitanClientsRegistry } from '../pull/servicetitan-clients.registry';
import { ServiceTitanPullService } from '../pull/servicetitan-pull.service';
import { WebhookController } from '../webhooks/webhook.controller';
import { WebhookIngestService } from '../webhooks/webhook-ingest.service';
import { WebhookGatewayEnv } from './webhook-gateway.env';

export const APP_NAME = 'webhook-gateway';

@Module({})
export class AppModule {
  static forRoot(env: WebhookGatewayEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [...connectorAppImports(APP_NAME, env, { tenants: true })],
      controllers: [WebhookController],
      providers: [
        { provide: WebhookGatewayEnv, useValue: env },
        WebhookIngestService,
        ServiceTitanClientsRegistry,
        ServiceTitanPullService,
      ],
    };
  }
}
