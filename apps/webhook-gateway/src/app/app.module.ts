import { TenantsModule } from '@connector/config';
import { kafkaSettingsFromEnv, MessagingModule } from '@connector/messaging';
import { ObservabilityModule, Redactor } from '@connector/observability';
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
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
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...env })] }),
        ObservabilityModule.forRoot({ app: APP_NAME }),
        MessagingModule.forRoot({ useFactory: () => kafkaSettingsFromEnv(env, APP_NAME) }),
        TenantsModule.forRoot(env, { onSecret: (v) => Redactor.register(v) }),
      ],
      controllers: [WebhookController],
      providers: [{ provide: WebhookGatewayEnv, useValue: env }, WebhookIngestService, ServiceTitanClientsRegistry, ServiceTitanPullService],
    };
  }
}
