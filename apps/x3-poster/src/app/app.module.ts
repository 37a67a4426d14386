import { TenantsModule } from '@connector/config';
import { kafkaSettingsFromEnv, MessagingModule } from '@connector/messaging';
import { ObservabilityModule, Redactor } from '@connector/observability';
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { PostedLedgerService } from '../ledger/posted-ledger.service';
import { X3PostingService } from '../posting/x3-posting.service';
import { SageX3ClientsRegistry } from '../x3/sage-x3-clients.registry';
import { X3PosterEnv } from './x3-poster.env';

export const APP_NAME = 'x3-poster';

@Module({})
export class AppModule {
  static forRoot(env: X3PosterEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...env })] }),
        ObservabilityModule.forRoot({ app: APP_NAME }),
        MessagingModule.forRoot({ useFactory: () => kafkaSettingsFromEnv(env, APP_NAME) }),
        TenantsModule.forRoot(env, { onSecret: (v) => Redactor.register(v) }),
      ],
      providers: [{ provide: X3PosterEnv, useValue: env }, SageX3ClientsRegistry, PostedLedgerService, X3PostingService],
    };
  }
}
