import { TenantsModule } from '@connector/config';
import { kafkaSettingsFromEnv, MessagingModule } from '@connector/messaging';
import { ObservabilityModule, Redactor } from '@connector/observability';
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { BillMappingService } from '../bills/bill-mapping.service';
import { JobMappingService } from '../jobs/job-mapping.service';
import { MappingRulesRegistry } from '../rules/mapping-rules.registry';
import { ServiceTitanLookups } from '../servicetitan/servicetitan-lookups.service';
import { StateTopicsReader } from '../state/state-topics.reader';
import { MapperConsumers } from './mapper-consumers.service';
import { MapperEnv } from './mapper.env';

export const APP_NAME = 'mapper';

@Module({})
export class AppModule {
  static forRoot(env: MapperEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...env })] }),
        ObservabilityModule.forRoot({ app: APP_NAME }),
        MessagingModule.forRoot({ useFactory: () => kafkaSettingsFromEnv(env, APP_NAME) }),
        TenantsModule.forRoot(env, { onSecret: (v) => Redactor.register(v) }),
      ],
      providers: [
        { provide: MapperEnv, useValue: env },
        MappingRulesRegistry,
        StateTopicsReader,
        ServiceTitanLookups,
        JobMappingService,
        BillMappingService,
        MapperConsumers,
      ],
    };
  }
}
