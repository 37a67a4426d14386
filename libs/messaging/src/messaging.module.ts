import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { KAFKA_SETTINGS, KafkaSettings } from './kafka/kafka-settings';
import { MessagePublisher } from './producer/message-publisher';
import { MessagingService } from './messaging.service';

export interface MessagingModuleOptions {
  /** Build settings from the app's validated config (see kafkaSettingsFromEnv). */
  useFactory: (...args: never[]) => KafkaSettings;
  inject?: Array<string | symbol | (abstract new (...args: never[]) => unknown)>;
}

/** The thin messaging layer: the only module that touches kafkajs. Requires ObservabilityModule. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: KAFKA_SETTINGS, useFactory: options.useFactory, inject: options.inject ?? [] },
      MessagingService,
      { provide: MessagePublisher, useFactory: (m: MessagingService) => m.producer, inject: [MessagingService] },
    ];
    return { module: MessagingModule, providers, exports: [MessagingService, MessagePublisher, KAFKA_SETTINGS] };
  }
}
