import { connectorAppImports, provideConsumerGroup } from '@connector/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { BackfillService } from '../backfill/backfill.service';
import { FeedReaderService } from '../feeds/feed-reader.service';
import { ServiceTitanFeedsService } from '../feeds/servicetitan-feeds.service';
import { ServiceTitanOwnerConsumer } from '../owner/servicetitan-owner.consumer';
import { SERVICETITAN_OWNER_GROUP, ServiceTitanOwnership } from '../owner/servicetitan-ownership';
import { ServiceTitanClientsRegistry } from '../servicetitan/servicetitan-clients.registry';
import { KafkaAckMonitor } from '../webhooks/kafka-ack.monitor';
import { WebhookController } from '../webhooks/webhook.controller';
import { WebhookTriggerService } from '../webhooks/webhook-trigger.service';
import { WriteBackService } from '../write-back/write-back.service';
import { WebhookGatewayEnv } from './webhook-gateway.env';

export const APP_NAME = 'webhook-gateway';

@Module({})
export class AppModule {
  static forRoot(env: WebhookGatewayEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [...connectorAppImports(APP_NAME, env, { tenants: true })],
      controllers: [WebhookController, ServiceTitanOwnerConsumer],
      providers: [
        { provide: WebhookGatewayEnv, useValue: env },
        KafkaAckMonitor,
        WebhookTriggerService,
        ServiceTitanClientsRegistry,
        ServiceTitanOwnership,
        FeedReaderService,
        WriteBackService,
        ServiceTitanFeedsService,
        BackfillService,
        // Commands of a brand-new group are replayed from the topic's start (7 days): triggers only move reads
        // earlier, marks are idempotent and a loaded backfill is not run again.
        provideConsumerGroup(SERVICETITAN_OWNER_GROUP, () => ({ fromBeginning: true })),
      ],
    };
  }
}
