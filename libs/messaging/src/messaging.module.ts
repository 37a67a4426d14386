import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConsumerGroupAdmin } from './admin/consumer-group.admin';
import { KafkaConnection } from './kafka/kafka-connection';
import { KAFKA_SETTINGS, KafkaSettings } from './kafka/kafka-settings';
import { TenantOwnerships } from './ownership/tenant-ownership';
import { MessagePublisher } from './producer/message-publisher';
import { StateViews } from './state/state-views';
import { BusExceptionFilter } from './transport/bus-exception.filter';
import { KafkaBusTransport } from './transport/kafka-bus.transport';

export interface MessagingModuleOptions {
  /** Build settings from the app's validated config (see kafkaSettingsFromEnv). */
  useFactory: (...args: never[]) => KafkaSettings;
  inject?: Array<string | symbol | (abstract new (...args: never[]) => unknown)>;
}

/**
 * The messaging layer, the only module that touches kafkajs. Apps get: MessagePublisher (publish), KafkaBusTransport
 * (serves @EventPattern handlers; connected by createApp), StateViews (compacted-topic views), TenantOwnerships and
 * ConsumerGroupAdmin. Requires ObservabilityModule.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: KAFKA_SETTINGS, useFactory: options.useFactory, inject: options.inject ?? [] },
      KafkaConnection,
      { provide: MessagePublisher, useFactory: (c: KafkaConnection) => c.producer, inject: [KafkaConnection] },
      {
        provide: ConsumerGroupAdmin,
        useFactory: (c: KafkaConnection) => new ConsumerGroupAdmin(() => c.admin(), c.ns),
        inject: [KafkaConnection],
      },
      KafkaBusTransport,
      StateViews,
      TenantOwnerships,
      { provide: APP_FILTER, useClass: BusExceptionFilter },
    ];
    return {
      module: MessagingModule,
      providers,
      exports: [MessagePublisher, ConsumerGroupAdmin, KafkaBusTransport, StateViews, TenantOwnerships, KAFKA_SETTINGS],
    };
  }
}
