import { TenantsModule } from '@connector/config';
import { kafkaSettingsFromEnv, MessagingModule } from '@connector/messaging';
import { ObservabilityModule, Redactor } from '@connector/observability';
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ResyncController } from '../polling/resync.controller';
import { X3PollService } from '../polling/x3-poll.service';
import { SageX3ClientsRegistry } from '../x3/sage-x3-clients.registry';
import { X3PollerEnv } from './x3-poller.env';

export const APP_NAME = 'x3-poller';

@Module({})
export class AppModule {
  static forRoot(env: X3PollerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...env })] }),
        ObservabilityModule.forRoot({ app: APP_NAME }),
        MessagingModule.forRoot({ useFactory: () => kafkaSettingsFromEnv(env, APP_NAME) }),
        TenantsModule.forRoot(env, { onSecret: (v) => Redactor.register(v) }),
      ],
      controllers: [ResyncController],
      providers: [{ provide: X3PollerEnv, useValue: env }, SageX3ClientsRegistry, X3PollService],
    };
  }
}
